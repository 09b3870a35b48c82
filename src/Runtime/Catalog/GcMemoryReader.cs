namespace Granary.Runtime.Catalog;

/// <summary>Memory from <see cref="GC.GetGCMemoryInfo()"/>: heap size and available memory as of the last garbage collection.</summary>
internal sealed class GcMemoryReader : IMemoryReader
{
    public static readonly GcMemoryReader Instance = new();

    public MemoryReading Read()
    {
        var info = GC.GetGCMemoryInfo();
        return new MemoryReading(info.HeapSizeBytes, info.TotalAvailableMemoryBytes);
    }
}
