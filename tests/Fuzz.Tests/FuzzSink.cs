using Xunit.Abstractions;
using Xunit.Sdk;

namespace Granary.Fuzz.Tests;

/// <summary>
/// Sends each run's summary line (seed, iterations, rate) to xunit's diagnostic messages, which the
/// console logger shows at normal verbosity (as in ./test.sh), unlike a passing test's output.
/// </summary>
public sealed class FuzzSink(IMessageSink diagnostics)
{
    internal void Write(string line) => diagnostics.OnMessage(new DiagnosticMessage(line));
}
