namespace Granary.Tests.Common;

/// <summary>
/// The private PostgreSQL server that <c>./test.sh</c> starts for the run: its connection string is
/// in <c>GRANARY_TEST_PG</c> (database <c>postgres</c>, user <c>postgres</c>, trust auth on 127.0.0.1).
/// Tests that need PostgreSQL fail, never skip, when it is missing.
/// </summary>
public static class TestPostgres
{
    /// <summary>The environment variable holding the server's connection string.</summary>
    public const string EnvironmentVariable = "GRANARY_TEST_PG";

    /// <summary>The data directory of that server (for pause/resume/stop in fault tests), from <c>GRANARY_TEST_PG_DIR</c>.</summary>
    public static string? DataDirectory => Environment.GetEnvironmentVariable("GRANARY_TEST_PG_DIR");

    /// <summary>The server's connection string.</summary>
    /// <exception cref="InvalidOperationException">The variable is not set: run the tests through ./test.sh.</exception>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set. Run the tests through ./test.sh, which starts a private PostgreSQL server, " +
                "or start one with deploy/pg-local.sh and export its connection string.");
}
