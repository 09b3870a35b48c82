using Granary.Grains.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Granary.Grains.Tests.Hosting;

/// <summary>
/// <see cref="GrainClusterFixture"/> whose grain storage <see cref="GrainStorageNames.Default"/> is a
/// <see cref="RecordingGrainStorage"/> owned by the test: it counts writes, fails on request and
/// outlives silo restarts.
/// </summary>
public sealed class StorageClusterFixture : GrainClusterFixture
{
    public RecordingGrainStorage Storage { get; } = new();

    protected override void ConfigureStorage(ISiloBuilder silo) =>
        silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, Storage);
}
