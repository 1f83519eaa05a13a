using Microsoft.Data.Sqlite;

namespace IotLabKit.Emulator.Storage;

/// <summary>
/// The durable store: one SQLite file, one row per entity (a device row holds its identity and twin as JSON),
/// opened with the durability settings of <see cref="SqliteDatabase"/>.
/// </summary>
public sealed class SqliteHubStore : IHubStore
{
    /// <summary>The database file name inside the data directory.</summary>
    public const string FileName = "iotlabkit.db";

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    /// <summary>Opens (creating if needed) the database in <paramref name="dataDir"/>.</summary>
    public SqliteHubStore(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        Path = System.IO.Path.Combine(dataDir, FileName);
        _connection = SqliteDatabase.OpenDurable(Path, """
            CREATE TABLE IF NOT EXISTS entities (
                collection TEXT NOT NULL,
                id         TEXT NOT NULL,
                json       TEXT NOT NULL,
                PRIMARY KEY (collection, id)
            );
            """);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string Kind => "sqlite";

    /// <inheritdoc />
    public IReadOnlyList<StoredEntity> LoadAll(string collection)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT id, json FROM entities WHERE collection = $c ORDER BY id;";
            cmd.Parameters.AddWithValue("$c", collection);
            using var reader = cmd.ExecuteReader();
            var result = new List<StoredEntity>();
            while (reader.Read()) result.Add(new StoredEntity(reader.GetString(0), reader.GetString(1)));
            return result;
        }
    }

    /// <inheritdoc />
    public void Apply(IReadOnlyList<StoreChange> changes)
    {
        if (changes.Count == 0) return;
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            using var upsert = _connection.CreateCommand();
            upsert.Transaction = tx;
            upsert.CommandText = "INSERT INTO entities (collection, id, json) VALUES ($c, $i, $j) ON CONFLICT(collection, id) DO UPDATE SET json = excluded.json;";
            var uc = upsert.Parameters.Add("$c", SqliteType.Text);
            var ui = upsert.Parameters.Add("$i", SqliteType.Text);
            var uj = upsert.Parameters.Add("$j", SqliteType.Text);
            using var delete = _connection.CreateCommand();
            delete.Transaction = tx;
            delete.CommandText = "DELETE FROM entities WHERE collection = $c AND id = $i;";
            var dc = delete.Parameters.Add("$c", SqliteType.Text);
            var di = delete.Parameters.Add("$i", SqliteType.Text);
            foreach (var change in changes)
            {
                if (change.Json is null)
                {
                    dc.Value = change.Collection;
                    di.Value = change.Id;
                    delete.ExecuteNonQuery();
                }
                else
                {
                    uc.Value = change.Collection;
                    ui.Value = change.Id;
                    uj.Value = change.Json;
                    upsert.ExecuteNonQuery();
                }
            }
            tx.Commit();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate) _connection.Dispose();
    }
}
