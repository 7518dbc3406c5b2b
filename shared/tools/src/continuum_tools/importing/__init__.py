"""Reading councils' past CIN census returns for ``continuum import census``: the reader
(:mod:`.census_reader`), the merge of several years into one history per child (:mod:`.merge`),
and a generator of multi-year returns for tests and the benchmark (:mod:`.generate`), over the
plain values of :mod:`.records`. The services' import paths take these values; nothing here
imports a service."""
