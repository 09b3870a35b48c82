using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Granary.Silo.Diagnostics;

/// <summary>
/// The per-turn log file (<c>Granary:Silo:TurnLogPath</c>): one line per call a Granary grain
/// served on this silo, <c>grainType/key</c> TAB <c>host:port@generation</c> TAB
/// <c>membershipVersion</c> TAB <c>startUnixMicros</c> TAB <c>endUnixMicros</c> (wall clock,
/// <see cref="TimeProvider.GetUtcNow"/>). The fault tests read the logs of every silo to measure
/// how long two activations of one grain served at once (Orleans's default grain directory is
/// eventually consistent). A turn only enqueues a small record (lock-free); a timer writes and
/// flushes the file every <see cref="FlushInterval"/>, and <see cref="DisposeAsync"/> writes the
/// rest. Tabs and line breaks in keys become spaces. A write failure is logged once and never throws.
/// </summary>
internal sealed partial class TurnLog : IAsyncDisposable
{
    /// <summary>How often queued lines are written and flushed: 100 ms.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentQueue<Entry> _queue = new();
    private readonly Lock _writeGate = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly StreamWriter _writer;
    private readonly ITimer _timer;
    private bool _failed;
    private bool _disposed;

    /// <param name="path">The file, appended to (created with its directory when missing).</param>
    /// <param name="time">The wall clock.</param>
    /// <param name="logger">Logs the first write failure.</param>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public TurnLog(string path, TimeProvider time, ILogger<TurnLog> logger)
    {
        _time = time;
        _logger = logger;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        _writer = new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024) { NewLine = "\n" };
        _timer = time.CreateTimer(static state => ((TurnLog)state!).Flush(), this, FlushInterval, FlushInterval);
    }

    /// <summary>Wall-clock now in microseconds since the Unix epoch.</summary>
    public long NowMicros() => (_time.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>Queues one turn's line.</summary>
    public void Append(GrainId grain, string silo, long membershipVersion, long startMicros, long endMicros) =>
        _queue.Enqueue(new Entry(grain, silo, membershipVersion, startMicros, endMicros));

    /// <summary>Writes every queued line and flushes the file. Never throws (a failure is logged once).</summary>
    public void Flush()
    {
        lock (_writeGate)
        {
            if (_disposed)
                return;
            try
            {
                var wrote = false;
                while (_queue.TryDequeue(out var entry))
                {
                    Write(entry);
                    wrote = true;
                }
                if (wrote)
                    _writer.Flush();
            }
            catch (IOException e)
            {
                if (!_failed)
                    LogWriteFailed(_logger, e);
                _failed = true;
            }
        }
    }

    private void Write(in Entry entry)
    {
        var writer = _writer;
        WriteClean(writer, entry.Grain.Type.ToString()!);
        writer.Write('/');
        WriteClean(writer, entry.Grain.Key.ToString()!);
        writer.Write('\t');
        writer.Write(entry.Silo);
        writer.Write('\t');
        writer.Write(entry.MembershipVersion.ToString(CultureInfo.InvariantCulture));
        writer.Write('\t');
        writer.Write(entry.StartMicros.ToString(CultureInfo.InvariantCulture));
        writer.Write('\t');
        writer.Write(entry.EndMicros.ToString(CultureInfo.InvariantCulture));
        writer.WriteLine();
    }

    private static void WriteClean(StreamWriter writer, string text)
    {
        if (text.AsSpan().IndexOfAny('\t', '\n', '\r') < 0)
        {
            writer.Write(text);
            return;
        }
        foreach (var c in text)
            writer.Write(c is '\t' or '\n' or '\r' ? ' ' : c);
    }

    /// <summary>Stops the timer, writes what is queued and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        Flush();
        lock (_writeGate)
        {
            if (_disposed)
                return;
            _disposed = true;
            try
            {
                _writer.Dispose();
            }
            catch (IOException)
            {
            }
        }
    }

    private readonly record struct Entry(GrainId Grain, string Silo, long MembershipVersion, long StartMicros, long EndMicros);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Writing the turn log failed; later failures are not logged")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception);
}
