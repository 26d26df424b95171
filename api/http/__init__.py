"""HTTP helpers every route shares: content negotiation (:mod:`.negotiation`, the one place that
reads ``Accept`` and ``?format=``), the problem types of RFC 9457 (:mod:`.problems`) and the
HTTP/1.1 parser the server picks per connection (:mod:`.parser`)."""
