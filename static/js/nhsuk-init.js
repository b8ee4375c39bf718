// Initialise NHS.UK frontend components (header menu, skip link, error summary,
// buttons, tables, tabs, ...). Loaded as: <script type="module" src="{% static 'js/nhsuk-init.js' %}"></script>
// initAll() only runs when <body> has the "nhsuk-frontend-supported" class,
// which the inline js-enabled snippet at the top of <body> adds.
import { initAll } from './../nhsuk/nhsuk-frontend.min.js';

initAll();
