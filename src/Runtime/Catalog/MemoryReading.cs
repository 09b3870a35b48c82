namespace Granary.Runtime.Catalog;

/// <summary>One reading of the process's memory, for the memory-pressure check of the idle collector.</summary>
/// <param name="HeapBytes">Size of the GC heap after the last collection, bytes (<c>GCMemoryInfo.HeapSizeBytes</c>).</param>
/// <param name="AvailableBytes">Memory available to the process, bytes (<c>GCMemoryInfo.TotalAvailableMemoryBytes</c>: container limit, else physical memory); 0 when unknown.</param>
internal readonly record struct MemoryReading(long HeapBytes, long AvailableBytes)
{
    /// <summary>True when <see cref="HeapBytes"/> is above <paramref name="fraction"/> of a known <see cref="AvailableBytes"/>.</summary>
    public bool IsAbove(double fraction) => AvailableBytes > 0 && fraction > 0 && HeapBytes > AvailableBytes * fraction;
}
