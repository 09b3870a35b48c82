namespace Granary.Runtime.Catalog;

/// <summary>Reads the process's memory (injected so tests can simulate pressure; default <see cref="GcMemoryReader"/>).</summary>
internal interface IMemoryReader
{
    /// <summary>The current reading; cheap enough for once per collection pass.</summary>
    MemoryReading Read();
}
