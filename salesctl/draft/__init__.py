"""Contract drafts: the rendering core of ``salesctl draft`` (docs/templates.md).

A draft is a jinja2 template rendered from a context the CLI builds out of the
records (``contract``, ``customer``, ``contact``, ``owner``, ``company``,
``receivables``, ``today``, ``locale``).  This package finds the templates,
renders them in a sandbox and turns every failure into a :class:`DraftError`
with a message fit for the user.  It imports no click and prints nothing.

Template files (in the workspace ``templates/`` folder, else shipped with
salesctl)::

    NAME.FORMAT.j2            FORMAT is md or html        contract.md.j2
    NAME.LOCALE.FORMAT.j2     preferred when LOCALE is    contract.en_US.md.j2
                              the workspace locale
    NAME.docx                 a Word template (docxtpl)   contract.docx
    NAME.LOCALE.docx

Lookup for ``render(template=NAME, fmt=F, locale=L)``: workspace
``NAME.L.F.j2``, workspace ``NAME.F.j2``, shipped ``NAME.L.F.j2``, shipped
``NAME.F.j2`` -- a workspace template overrides the shipped one of the same
name and format.  ``template="NAME.LOCALE"`` asks for that locale explicitly
(only ``NAME.LOCALE.*`` files qualify).  ``fmt="docx"`` renders a
``NAME[.LOCALE].docx`` template when one exists; otherwise the Markdown
template of the same name is rendered and converted into a Word document, so
the shipped contract has one wording for every format.

Templates run in :class:`jinja2.sandbox.ImmutableSandboxedEnvironment` with
``StrictUndefined`` (a name that does not exist is an error naming the
variable, the template file and the line), ``trim_blocks``/``lstrip_blocks``
(a line holding only a ``{% tag %}`` leaves no blank line),
``keep_trailing_newline`` and autoescaping for HTML only.  ``None`` prints as
an empty string, and the filters below map ``None`` to ``""``.  On a mapping,
``x.key`` prefers the key over a dict method of the same name, so
``contract.items`` is the contract's list of items, not ``dict.items``.
A workspace template can extend a shipped one through the ``shipped/``
prefix: ``{% extends "shipped/contract.html.j2" %}`` and override its blocks.

A workspace template may come from anyone who can push to the repository, so
templates are read only from inside the workspace (a link leading out, or a
name with ``..``, is refused), and every draft is rendered in a child process
that is stopped after ``MAX_SECONDS`` and cannot take more than
``MAX_MEMORY_MB``; checks inside the sandbox refuse the known ways to grow a
value first, with a message naming them.

Filters: ``money``, ``cny_upper``, ``date_cn``, ``date_en``, ``words_en``,
``num`` (a quantity without trailing zeros), ``share`` (``part|share(whole)``
-> ``"30%"``), ``currency_cn`` (``CNY`` -> ``人民币``), ``md_cell`` (text made
safe for a Markdown table cell).

Modules: ``templates`` (finding template files), ``filters`` (amounts and dates in words),
``sandbox`` (the jinja2 environment and its checks), ``render`` (rendering under limits, errors
located in the template), ``docx`` (Markdown to Word), ``context`` (what a template sees of a
contract). Imports the layers below (model, derive) and nothing of the other features.
"""
