"""Preloaded by the forkserver of ``vnfacts process --workers N``: importing this warms
up the extraction (gazetteer, segmenter, extractor caches) once in the forkserver, so
every worker forked from it starts warm and shares those pages.  Import it nowhere else."""

from pipeline.batch.run import warm_up

warm_up()
