// Fuzz targets are time-bounded: run them one at a time so each gets the machine it is timed on.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
