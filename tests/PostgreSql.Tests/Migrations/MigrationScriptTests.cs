using Granary.PostgreSql.Migrations;

namespace Granary.PostgreSql.Tests.Migrations;

public sealed class MigrationScriptTests
{
    [Theory]
    [InlineData("V1__schema.sql")]
    [InlineData("V001_schema.sql")]
    [InlineData("v001__schema.sql")]
    [InlineData("V001__Schema.sql")]
    [InlineData("V001__schema.txt")]
    [InlineData("V001__.sql")]
    [InlineData("V001__my-schema.sql")]
    [InlineData("schema.sql")]
    public void Parse_BadFileName_ThrowsNamingTheFile(string fileName)
    {
        var e = Assert.Throws<InvalidOperationException>(() => MigrationScript.Parse([(fileName, "SELECT 1")]));

        Assert.Contains($"'{fileName}'", e.Message);
        Assert.Contains("V###__name.sql", e.Message);
    }

    [Fact]
    public void Parse_Unordered_ReturnsVersionOrderWithNames()
    {
        var scripts = MigrationScript.Parse([("V002__membership.sql", "b"), ("V001__schema.sql", "a"), ("V003__more_stuff_2.sql", "c")]);

        Assert.Equal([1, 2, 3], scripts.Select(s => s.Version));
        Assert.Equal(["schema", "membership", "more_stuff_2"], scripts.Select(s => s.Name));
        Assert.Equal(["a", "b", "c"], scripts.Select(s => s.Sql));
    }

    [Fact]
    public void Parse_Gap_ThrowsNamingMissingVersion()
    {
        var e = Assert.Throws<InvalidOperationException>(() => MigrationScript.Parse([("V001__schema.sql", ""), ("V003__later.sql", "")]));

        Assert.Contains("gap", e.Message);
        Assert.Contains("V002", e.Message);
    }

    [Fact]
    public void Parse_NotStartingAtOne_ThrowsGap()
    {
        var e = Assert.Throws<InvalidOperationException>(() => MigrationScript.Parse([("V002__membership.sql", "")]));

        Assert.Contains("V001 is missing", e.Message);
    }

    [Fact]
    public void Parse_DuplicateVersion_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => MigrationScript.Parse([("V001__schema.sql", ""), ("V001__other.sql", "")]));

        Assert.Contains("twice", e.Message);
    }

    [Fact]
    public void Parse_VersionZero_Throws() =>
        Assert.Contains("version 0", Assert.Throws<InvalidOperationException>(() => MigrationScript.Parse([("V000__zero.sql", "")])).Message);

    [Fact]
    public void LoadEmbedded_GranaryPostgreSql_StartsWithSchemaV001()
    {
        var scripts = MigrationScript.LoadEmbedded(typeof(PostgreSqlMigrator).Assembly);

        Assert.Equal(1, scripts[0].Version);
        Assert.Equal("schema", scripts[0].Name);
        Assert.Contains("CREATE TABLE granary_grain_state", scripts[0].Sql);
        Assert.Contains("CREATE TABLE granary_client", scripts[0].Sql);
        Assert.Equal(Enumerable.Range(1, scripts.Count), scripts.Select(s => s.Version));
    }
}
