using Microsoft.Data.Sqlite;

namespace IotLabKit.Emulator.Storage;

/// <summary>
/// How the emulator opens each of its SQLite files — the one place for the durability rule: WAL with
/// <c>synchronous=NORMAL</c>, so a committed transaction survives the process being killed (not a power cut,
/// which an emulator need not survive) while single writes stay around a millisecond.
/// </summary>
internal static class SqliteDatabase
{
    /// <summary>Opens (creating if needed) <paramref name="path"/> with the durability settings and runs <paramref name="schema"/>.</summary>
    public static SqliteConnection OpenDurable(string path, string schema)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, "PRAGMA synchronous=NORMAL;");
            Execute(connection, "PRAGMA busy_timeout=5000;");
            Execute(connection, schema);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Runs a statement that returns nothing.</summary>
    public static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
