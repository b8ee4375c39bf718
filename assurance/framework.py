"""The default assessment framework, after the Department of Health's World
Class Commissioning assurance (2008): eleven competencies with three measures
each, and the four governance questions. Plain data with no Django imports;
`assurance.services.load_default_framework` loads it, and admins edit the
loaded rows afterwards (a reload never overwrites their edits).

Each measure: (name, method, evidence expected, survey statement for 360
feedback or "" when partners are not asked, level descriptions 1 to 4:
below baseline, baseline, intermediate, world class)."""

FEEDBACK = "360"
METRIC = "metric"
SELF = "self"
MIX = "mix"

COMPETENCIES = [
    (
        "Locally lead the NHS",
        "Recognised by partners, providers and the public as the local leader of the NHS, "
        "setting the direction of the local health system.",
        [
            (
                "Recognised as the local leader of the NHS",
                FEEDBACK,
                "360 feedback from providers, partners and clinicians; board minutes showing "
                "the commissioner leading system-wide decisions.",
                "This commissioner leads the local NHS and sets a clear direction for it.",
                (
                    "Partners do not see the commissioner as the local leader of the NHS.",
                    "Some partners recognise the commissioner's leadership on specific issues.",
                    "Most partners recognise the commissioner as the local leader and follow "
                    "its direction.",
                    "Partners consistently seek out the commissioner's leadership; it shapes "
                    "the whole local system.",
                ),
            ),
            (
                "A clear vision and strategy for health outcomes",
                MIX,
                "The five-year strategic plan with its outcome ambitions; 360 feedback on "
                "whether partners know and share the vision.",
                "I understand this commissioner's vision for local health and how my "
                "organisation contributes to it.",
                (
                    "No clear strategy, or one that partners do not know.",
                    "A strategy exists with outcome ambitions, shared with main providers.",
                    "The strategy is shared and owned by most partners and drives plans.",
                    "The vision is owned across the system and visibly drives every major "
                    "decision.",
                ),
            ),
            (
                "Leads change across the local health system",
                SELF,
                "Examples of service changes led to completion, with their outcomes.",
                "",
                (
                    "Change programmes stall or are led by others.",
                    "Leads some change programmes to completion.",
                    "Leads most major change programmes with measurable results.",
                    "Leads system-wide change that delivers measurable outcome gains.",
                ),
            ),
        ],
    ),
    (
        "Work with community partners",
        "Works with local authorities and other partners to commission for health and "
        "wellbeing, not only for health care.",
        [
            (
                "Joint strategic plans with the local authority",
                SELF,
                "The joint strategic needs assessment and joint plans with the local "
                "authority, with named shared outcomes.",
                "",
                (
                    "No joint planning with the local authority.",
                    "Joint plans exist for some services.",
                    "Joint plans cover the main shared outcomes with pooled or aligned budgets.",
                    "Joint commissioning is the norm, with pooled budgets and shared outcomes.",
                ),
            ),
            (
                "Partners' confidence in joint working",
                FEEDBACK,
                "360 feedback from community partners.",
                "This commissioner works with us as an equal partner to improve health and "
                "wellbeing.",
                (
                    "Partners report little or poor joint working.",
                    "Partners report joint working on some issues.",
                    "Partners report effective joint working on most issues.",
                    "Partners describe the commissioner as an exemplary partner.",
                ),
            ),
            (
                "Shared outcomes delivered with partners",
                METRIC,
                "Progress on the outcome metrics shared with partners (e.g. reductions in "
                "health inequalities).",
                "",
                (
                    "Shared outcome metrics are worsening.",
                    "Shared outcome metrics are stable.",
                    "Shared outcome metrics improve on the starting point.",
                    "Shared outcome metrics improve faster than peers'.",
                ),
            ),
        ],
    ),
    (
        "Engage with public and patients",
        "Involves the public and patients in decisions and commissions services that "
        "respond to what they say.",
        [
            (
                "Public and patients involved in decisions",
                MIX,
                "Records of engagement and how it changed commissioning decisions; feedback "
                "from lay partners.",
                "This commissioner listens to patients and the public and acts on what they say.",
                (
                    "Little engagement, or engagement with no effect on decisions.",
                    "Engagement on major decisions as required.",
                    "Continuous engagement that visibly changes decisions.",
                    "Patients and the public co-design services with the commissioner.",
                ),
            ),
            (
                "Patient experience and satisfaction",
                METRIC,
                "National patient survey results and local experience measures.",
                "",
                (
                    "Patient experience is below the national average and not improving.",
                    "Patient experience is around the national average.",
                    "Patient experience is above average or improving steadily.",
                    "Patient experience is in the national upper quartile.",
                ),
            ),
            (
                "Reputation with the public",
                SELF,
                "Public awareness and confidence surveys; communications strategy.",
                "",
                (
                    "The public does not know the commissioner or has low confidence in it.",
                    "The public has some awareness of the commissioner's role.",
                    "The public is aware of and has confidence in the commissioner.",
                    "The commissioner is trusted by the public as its advocate for health.",
                ),
            ),
        ],
    ),
    (
        "Collaborate with clinicians",
        "Engages clinicians in commissioning decisions and pathway design.",
        [
            (
                "Clinicians engaged in commissioning",
                FEEDBACK,
                "360 feedback from clinicians in providers and practices.",
                "This commissioner involves clinicians like me in its decisions about services.",
                (
                    "Clinicians report little involvement.",
                    "Clinicians are consulted on some decisions.",
                    "Clinicians help shape most commissioning decisions.",
                    "Clinicians lead commissioning decisions with the commissioner.",
                ),
            ),
            (
                "Clinical leadership in pathway design",
                SELF,
                "Pathways redesigned with named clinical leads and their results.",
                "",
                (
                    "No clinically led pathway redesign.",
                    "A few pathways redesigned with clinical input.",
                    "Clinically led redesign of the main pathways.",
                    "Clinically led redesign across the system with measured outcome gains.",
                ),
            ),
            (
                "Evidence-based clinical decisions",
                MIX,
                "Use of clinical evidence and guidance in commissioning decisions.",
                "This commissioner's decisions about services are based on clinical evidence.",
                (
                    "Decisions rarely cite clinical evidence.",
                    "Major decisions cite clinical evidence.",
                    "Clinical evidence is routinely weighed in decisions.",
                    "The commissioner is known for evidence-based decisions.",
                ),
            ),
        ],
    ),
    (
        "Manage knowledge and assess needs",
        "Knows the population's health needs and uses knowledge to inform commissioning.",
        [
            (
                "A thorough assessment of health needs",
                SELF,
                "The joint strategic needs assessment, including inequalities and projections.",
                "",
                (
                    "The needs assessment is incomplete or out of date.",
                    "A current needs assessment covering the main needs.",
                    "A needs assessment covering inequalities and future needs, used in plans.",
                    "A needs assessment at small-area level that drives every decision.",
                ),
            ),
            (
                "Information shared with partners",
                FEEDBACK,
                "360 feedback on the quality and sharing of information.",
                "This commissioner shares useful information about local health needs with us.",
                (
                    "Partners receive little useful information.",
                    "Partners receive some information on request.",
                    "Partners receive timely, useful information routinely.",
                    "Information is shared openly and used jointly across the system.",
                ),
            ),
            (
                "Data quality and analysis",
                METRIC,
                "Completeness and timeliness of the data the commissioner relies on.",
                "",
                (
                    "Data are incomplete and late.",
                    "Data are mostly complete and on time.",
                    "Data are complete, timely and analysed for trends.",
                    "Data are complete, timely and analysed to predict needs.",
                ),
            ),
        ],
    ),
    (
        "Prioritise investment",
        "Prioritises investment by need and the evidence of what works.",
        [
            (
                "An explicit way of setting priorities",
                SELF,
                "The prioritisation framework and the decisions it produced.",
                "",
                (
                    "No explicit prioritisation.",
                    "A prioritisation framework exists and is used for new investment.",
                    "Priorities are set explicitly for new and existing spending.",
                    "Priorities are set explicitly and disinvestment follows the evidence.",
                ),
            ),
            (
                "Investment follows the strategy",
                METRIC,
                "Share of spending aligned with the strategic plan's priorities.",
                "",
                (
                    "Spending does not follow the strategy.",
                    "New spending follows the strategy.",
                    "Most spending is aligned with the strategy.",
                    "Spending is shifted decisively towards the strategy's priorities.",
                ),
            ),
            (
                "Priorities understood by partners",
                FEEDBACK,
                "360 feedback on whether partners understand and accept priorities.",
                "I understand how this commissioner decides its priorities for investment.",
                (
                    "Partners do not understand how priorities are set.",
                    "Partners understand priorities for major decisions.",
                    "Partners understand and largely accept the priorities.",
                    "Partners help set priorities and support them publicly.",
                ),
            ),
        ],
    ),
    (
        "Stimulate the market",
        "Shapes a provider market that offers choice, quality and value.",
        [
            (
                "Knowledge of the provider market",
                SELF,
                "A market analysis of current and potential providers.",
                "",
                (
                    "Little knowledge of the provider market.",
                    "Knows the current providers.",
                    "Knows current and potential providers and their capacity.",
                    "Actively develops the market to meet future needs.",
                ),
            ),
            (
                "Choice and new providers",
                METRIC,
                "Number and share of services with a choice of provider; new entrants.",
                "",
                (
                    "No choice of provider in most services.",
                    "Choice in the services where it is required.",
                    "Choice widening, with new entrants in priority services.",
                    "A diverse market with choice across services.",
                ),
            ),
            (
                "Fair dealings with providers",
                FEEDBACK,
                "360 feedback from current and potential providers.",
                "This commissioner deals with providers fairly and openly.",
                (
                    "Providers report unfair or opaque dealings.",
                    "Providers report fair dealings in formal processes.",
                    "Providers report fair and open dealings generally.",
                    "Providers see the commissioner as a model of fair dealing.",
                ),
            ),
        ],
    ),
    (
        "Promote improvement and innovation",
        "Drives continuous improvement and the spread of innovation in services.",
        [
            (
                "Innovation adopted and spread",
                SELF,
                "Innovations commissioned and spread, with their results.",
                "",
                (
                    "No innovation commissioned.",
                    "Some innovations piloted.",
                    "Innovations piloted, evaluated and spread.",
                    "Innovation is systematic and shared with other commissioners.",
                ),
            ),
            (
                "Contracts that reward quality and improvement",
                METRIC,
                "Share of contract value linked to quality and outcomes (e.g. CQUIN, "
                "outcome payments).",
                "",
                (
                    "No contract value linked to quality.",
                    "Quality incentives where nationally required.",
                    "Quality and outcome incentives in the main contracts.",
                    "Outcome-based contracts across the main services.",
                ),
            ),
            (
                "Support for providers' improvement",
                FEEDBACK,
                "360 feedback from providers.",
                "This commissioner supports my organisation to improve and innovate.",
                (
                    "Providers report no support for improvement.",
                    "Providers report support on request.",
                    "Providers report active support for improvement.",
                    "Providers describe the commissioner as a partner in improvement.",
                ),
            ),
        ],
    ),
    (
        "Secure procurement skills",
        "Has the skills to procure and contract for services effectively.",
        [
            (
                "Procurement and contracting skills",
                SELF,
                "Skills audit and development plan for procurement and contracting staff.",
                "",
                (
                    "Significant gaps in procurement skills.",
                    "Core procurement skills in place.",
                    "Skills in place and developed in line with a plan.",
                    "Recognised expertise, shared with other commissioners.",
                ),
            ),
            (
                "Well-run procurements",
                METRIC,
                "Procurements completed on time, without successful challenge.",
                "",
                (
                    "Procurements are late or successfully challenged.",
                    "Most procurements complete on time.",
                    "Procurements complete on time without challenge.",
                    "Procurements consistently deliver the intended outcomes.",
                ),
            ),
            (
                "Clear, fair contracts",
                FEEDBACK,
                "360 feedback from providers on contract clarity and management.",
                "This commissioner's contracts are clear and managed fairly.",
                (
                    "Providers find contracts unclear or inconsistently managed.",
                    "Contracts are clear; management is inconsistent.",
                    "Contracts are clear and managed consistently.",
                    "Contracts and their management are exemplary.",
                ),
            ),
        ],
    ),
    (
        "Manage the local health system",
        "Manages contracts and the performance of providers and the system as a whole.",
        [
            (
                "Provider performance managed",
                METRIC,
                "Providers' performance against contract metrics; notices raised and resolved.",
                "",
                (
                    "Poor provider performance goes unaddressed.",
                    "Performance is monitored and major failures addressed.",
                    "Performance is managed actively with remedial plans that work.",
                    "Providers' performance improves steadily under active management.",
                ),
            ),
            (
                "Regular performance dialogue",
                MIX,
                "Performance dialogues held and actions closed; 360 feedback on their value.",
                "Performance meetings with this commissioner are regular, constructive and "
                "lead to action.",
                (
                    "Performance meetings are irregular or unproductive.",
                    "Regular performance meetings take place.",
                    "Regular meetings lead to agreed actions that are followed up.",
                    "Dialogue drives continuous improvement across the system.",
                ),
            ),
            (
                "The commissioner's own commitments met",
                METRIC,
                "Demand-plan accuracy, decisions made on time and payments on time.",
                "",
                (
                    "The commissioner often misses its own commitments.",
                    "The commissioner meets most commitments.",
                    "The commissioner meets its commitments reliably.",
                    "The commissioner's reliability is a model for the system.",
                ),
            ),
        ],
    ),
    (
        "Make sound financial investments",
        "Manages money soundly and invests for the best outcomes over time.",
        [
            (
                "Financial balance",
                METRIC,
                "Outturn against plan over recent years.",
                "",
                (
                    "The commissioner is in deficit.",
                    "The commissioner breaks even.",
                    "The commissioner is in balance with reserves for investment.",
                    "The commissioner is in balance and invests for the long term.",
                ),
            ),
            (
                "A long-term financial plan",
                SELF,
                "The medium-term financial strategy and its risks.",
                "",
                (
                    "No medium-term financial plan.",
                    "A medium-term plan exists.",
                    "A medium-term plan linked to the strategy, with risks managed.",
                    "A tested long-term plan that underpins the strategy.",
                ),
            ),
            (
                "Value for money",
                MIX,
                "Benchmarked costs and returns on investment; 360 feedback.",
                "This commissioner gets good value for the money it spends.",
                (
                    "Costs are high against peers with no plan to address them.",
                    "Costs are around the peer average.",
                    "Costs are below the peer average or falling.",
                    "Value for money is in the national upper quartile.",
                ),
            ),
        ],
    ),
]

# The four governance questions: (title, question, evidence expected).
GOVERNANCE_QUESTIONS = [
    (
        "Strategy",
        "Does the board have a coherent strategy that will deliver quality and outcomes?",
        "The strategic plan approved by the board, with its outcome ambitions and how "
        "they will be achieved.",
    ),
    (
        "Finance",
        "Is there a long-term financial plan that underpins the strategy?",
        "The medium-term financial strategy approved by the board, with its risks and "
        "how they are managed.",
    ),
    (
        "Controls",
        "Does the board have the controls in place to know what is going on?",
        "Board assurance framework, risk register and the performance reports the board receives.",
    ),
    (
        "Capability",
        "Is the organisation developing the talent and capability it needs?",
        "The organisational development plan, with skills gaps and how they are closed.",
    ),
]
