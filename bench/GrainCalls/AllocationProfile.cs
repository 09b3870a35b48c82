using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Granary.Bench.GrainCalls;

/// <summary>
/// <c>--alloc</c>: runs the call loops while listening to the runtime's <c>GCAllocationTick</c> events
/// (one event per ~100 KB allocated, naming the type of the object that crossed the threshold), then
/// prints the sampled bytes per type scaled to bytes per call. A sampling estimate: types allocated
/// rarely may be missing; the total matches <see cref="GC.GetTotalAllocatedBytes(bool)"/> closely.
/// </summary>
internal static class AllocationProfile
{
    public static async Task<int> RunAsync(int callers, double seconds, double warmupSeconds)
    {
        await using var cluster = await EchoCluster.StartAsync();
        var grains = cluster.Grains(callers);
        await CallLoops.RunTimedAsync(grains, Stopwatch.GetTimestamp() + (long)(warmupSeconds * Stopwatch.Frequency));

        using var listener = new AllocationListener();
        var bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
        var histogram = await CallLoops.RunTimedAsync(grains, Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency));
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - bytesBefore;
        var calls = Math.Max(1, histogram.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{callers} callers, {calls:N0} calls, {(double)bytes / calls:0.0} bytes/call (GC.GetTotalAllocatedBytes); sampled by type:"));
        var sampled = listener.ByType.ToArray();
        var total = Math.Max(1, sampled.Sum(kv => kv.Value));
        foreach (var (type, amount) in sampled.OrderByDescending(kv => kv.Value).Take(25))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(double)amount / total * bytes / calls,8:0.0} B/call  {type}"));
        return 0;
    }

    private sealed class AllocationListener : EventListener
    {
        public ConcurrentDictionary<string, long> ByType { get; } = new(StringComparer.Ordinal);

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
                return;
            var typeIndex = eventData.PayloadNames.IndexOf("TypeName");
            var amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
            if (amountIndex < 0)
                amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount");
            if (typeIndex < 0 || amountIndex < 0)
                return;
            var type = eventData.Payload![typeIndex] as string ?? "?";
            var amount = Convert.ToInt64(eventData.Payload[amountIndex], CultureInfo.InvariantCulture);
            ByType.AddOrUpdate(type, amount, (_, old) => old + amount);
        }
    }
}
