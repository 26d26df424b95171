"""The web layer for people. Every page is Korean first with an English switch (``?lang=ko|en``,
remembered in ``localStorage``), shares one layout (header, navigation, language switch, the data
licence and attribution in the footer) and works without JavaScript; the script only adds search
suggestions and the switch.

- :mod:`.render`: the Jinja2 environment (autoescaped) over ``templates/`` and ``page()``.
- ``templates/``: ``base.html`` (the layout), ``_macros.html`` and one template per page.
- :mod:`.views`: one module per page with its routes and the data it prepares.
- :mod:`.drawing`: the SVG pictures (maps, partner network, timeline).
- ``static/``: the stylesheet and the script (``/assets/``).
"""
