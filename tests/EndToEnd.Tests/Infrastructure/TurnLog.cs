using System.Globalization;

namespace Granary.EndToEnd.Tests.Infrastructure;

/// <summary>One grain turn as a silo logged it (<c>Granary:Silo:TurnLogPath</c>).</summary>
internal sealed record Turn(string Grain, string Silo, long View, long StartMicros, long EndMicros);

/// <summary>
/// Reads the silos' per-turn logs (<c>grain \t silo \t view \t startUnixMicros \t endUnixMicros</c>)
/// and measures how long two silo incarnations served the same grain at once.
/// </summary>
internal static class TurnLog
{
    public static List<Turn> Read(IEnumerable<string> paths)
    {
        var turns = new List<Turn>();
        foreach (var path in paths.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(path))
            {
                var f = line.Split('\t');
                if (f.Length != 5)
                    continue;
                turns.Add(new Turn(f[0], f[1], long.Parse(f[2], CultureInfo.InvariantCulture),
                    long.Parse(f[3], CultureInfo.InvariantCulture), long.Parse(f[4], CultureInfo.InvariantCulture)));
            }
        }
        return turns;
    }

    /// <summary>
    /// For every grain served by more than one silo incarnation, the time both were starting turns:
    /// the intersection of the spans [first turn start, last turn start] of each pair. A clean
    /// handoff (the old owner's last turn starts before the new owner's first) gives 0.
    /// Returns the largest overlap in ms and the grain it happened to.
    /// </summary>
    public static (double MaxOverlapMs, string? Grain, int GrainsMoved) MaxOwnerOverlap(IEnumerable<Turn> turns)
    {
        double max = 0;
        string? worst = null;
        var moved = 0;
        foreach (var grain in turns.GroupBy(t => t.Grain))
        {
            var spans = grain.GroupBy(t => t.Silo).Select(s => (Start: s.Min(t => t.StartMicros), End: s.Max(t => t.StartMicros))).ToList();
            if (spans.Count < 2)
                continue;
            moved++;
            for (var i = 0; i < spans.Count; i++)
                for (var j = i + 1; j < spans.Count; j++)
                {
                    var overlap = Math.Min(spans[i].End, spans[j].End) - Math.Max(spans[i].Start, spans[j].Start);
                    if (overlap / 1000.0 > max)
                    {
                        max = overlap / 1000.0;
                        worst = grain.Key;
                    }
                }
        }
        return (max, worst, moved);
    }
}
