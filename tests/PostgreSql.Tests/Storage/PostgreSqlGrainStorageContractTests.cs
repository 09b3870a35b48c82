using Granary.PostgreSql.Storage;
using Granary.PostgreSql.Tests.Infrastructure;
using Granary.Runtime.Storage;
using Granary.Runtime.Tests.Storage;

namespace Granary.PostgreSql.Tests.Storage;

/// <summary>The shared <see cref="IGrainStorage"/> contract (linked from Runtime.Tests) against PostgreSQL; the table is emptied before each test.</summary>
public sealed class PostgreSqlGrainStorageContractTests : GrainStorageContractTests, IClassFixture<MigratedDatabaseFixture>
{
    private readonly MigratedDatabaseFixture _db;

    public PostgreSqlGrainStorageContractTests(MigratedDatabaseFixture db)
    {
        _db = db;
        db.Truncate("granary_grain_state");
    }

    protected override IGrainStorage CreateStorage() => new PostgreSqlGrainStorage(_db.DataSource);
}
