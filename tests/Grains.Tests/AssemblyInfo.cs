// Test classes run one after another: each grain class starts its own silo, and hot-path grain
// calls have a 1 s response timeout that two silos competing for a loaded 2-core machine can miss.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
