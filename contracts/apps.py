from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Organisations and contracts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from contracts.api_tokens import remember_sign_in

        user_logged_in.connect(remember_sign_in, dispatch_uid="contracts.remember_sign_in")
