"""The representations besides our JSON: each a view over the read models, chosen per request.

`negotiation` picks one from `format=` or `Accept`; `csv` and `ndjson` write lists,
streamed page by page; `jsonld` writes records as schema.org; `vcard` writes an
organisation's contacts.
"""
