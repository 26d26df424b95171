"""HTTP helpers every route shares: content negotiation (:mod:`.negotiation`, the one place that
reads ``Accept`` and ``?format=``) and the problem types of RFC 9457 (:mod:`.problems`)."""
