using Granary.Runtime.Storage;

namespace Granary.PostgreSql.Tests.Storage;

/// <summary>The reference provider passes the batched contract too.</summary>
public sealed class InMemoryBatchedGrainStorageTests : BatchedGrainStorageContractTests
{
    protected override IBatchedGrainStorage CreateStorage() => new InMemoryGrainStorage();
}
