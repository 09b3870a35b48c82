using System.CommandLine;
using System.CommandLine.Invocation;

namespace Granary.Bench;

/// <summary>
/// What the benchmark tools add to System.CommandLine: a root command without <c>--version</c>, range rules on
/// options, and one way to stop before running on <c>--help</c> or a command line that does not parse.
/// Linked into each tool's project.
/// </summary>
internal static class BenchCommandLine
{
    /// <summary>Exit code after a command line that does not parse (errors and usage printed).</summary>
    public const int UsageExitCode = 2;

    /// <summary>A root command with <paramref name="options"/> and the library's help option (no <c>--version</c>: the tools have none).</summary>
    public static RootCommand Root(string description, params Option[] options)
    {
        var root = new RootCommand(description);
        root.Options.Remove(root.Options.OfType<VersionOption>().Single());
        foreach (var option in options)
            root.Options.Add(option);
        return root;
    }

    /// <summary>
    /// Adds a validator to <paramref name="option"/>: its value must pass <paramref name="valid"/>, or parsing fails with
    /// "<c>--name must be RULE, not VALUE.</c>". Runs only when the option is given (defaults are valid).
    /// </summary>
    public static Option<T> Must<T>(this Option<T> option, Func<T, bool> valid, string rule)
    {
        option.Validators.Add(result =>
        {
            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                // The text does not convert to T: the parser reports that itself ("Cannot parse argument …"), but it
                // runs validators before converting, and the conversion throws here (dotnet/command-line-api#2645).
                return;
            }
            if (!valid(value))
                result.AddError($"{option.Name} must be {rule}, not {string.Join(' ', result.Tokens.Select(t => t.Value))}.");
        });
        return option;
    }

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="command"/>. Returns the result when the tool should run
    /// (<paramref name="exitCode"/> 0). Otherwise returns null after the library has printed what was asked: the help
    /// for <c>--help</c> (<paramref name="exitCode"/> 0), or the errors and the usage for a command line that does not
    /// parse, an unknown option or a bad value among them (<paramref name="exitCode"/> <see cref="UsageExitCode"/>).
    /// </summary>
    public static ParseResult? ParseOrExit(this RootCommand command, string[] args, out int exitCode)
    {
        var result = command.Parse(args);
        if (result.Errors.Count == 0 && result.Action is null)
        {
            exitCode = 0;
            return result;
        }
        // Typo hints would pair every stray value with -h ("'1' was not matched. Did you mean -h?"); the error and the usage say enough.
        if (result.Action is ParseErrorAction errors)
            errors.ShowTypoCorrections = false;
        exitCode = result.Invoke();
        if (result.Errors.Count > 0)
            exitCode = UsageExitCode;
        return null;
    }
}
