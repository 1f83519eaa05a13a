using System.Globalization;
using IotLabKit.Emulator.Core.Telemetry;
using Microsoft.Data.Sqlite;

namespace IotLabKit.Emulator.Storage;

/// <summary>
/// Telemetry in its own SQLite file (<c>telemetry.db</c>, WAL, <c>synchronous=NORMAL</c> like the hub's database:
/// a committed batch survives the process being killed), so retention deletes never touch the device database.
/// One row per event, keyed by (partition, sequence number), with indexes for reads by enqueued time and offset.
/// </summary>
public sealed class SqliteTelemetryLog : ITelemetryLog
{
    /// <summary>The file name inside the data directory.</summary>
    public const string FileName = "telemetry.db";

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    /// <summary>Opens (creating if needed) the log in <paramref name="dataDir"/>.</summary>
    public SqliteTelemetryLog(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        _connection = SqliteDatabase.OpenDurable(Path.Combine(dataDir, FileName), """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS events (
                partition  INTEGER NOT NULL,
                seq        INTEGER NOT NULL,
                offset     INTEGER NOT NULL,
                size       INTEGER NOT NULL,
                enqueued   INTEGER NOT NULL,
                device_id  TEXT NOT NULL,
                module_id  TEXT,
                properties TEXT NOT NULL,
                body       BLOB NOT NULL,
                PRIMARY KEY (partition, seq)
            );
            CREATE INDEX IF NOT EXISTS events_by_time ON events (partition, enqueued);
            CREATE INDEX IF NOT EXISTS events_by_offset ON events (partition, offset);
            """);
    }

    /// <inheritdoc />
    public string Kind => "sqlite";

    /// <inheritdoc />
    public int? PartitionCount
    {
        get
        {
            lock (_gate)
            {
                using var cmd = _connection.CreateCommand();
                cmd.CommandText = "SELECT value FROM meta WHERE key = 'partitionCount';";
                return cmd.ExecuteScalar() is string s ? int.Parse(s, CultureInfo.InvariantCulture) : null;
            }
        }
    }

    /// <inheritdoc />
    public void Initialize(int partitionCount)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "INSERT OR REPLACE INTO meta (key, value) VALUES ('partitionCount', $v);";
            cmd.Parameters.AddWithValue("$v", partitionCount.ToString(CultureInfo.InvariantCulture));
            cmd.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<TelemetryPartitionState> LoadPartitions()
    {
        lock (_gate)
        {
            var result = new List<TelemetryPartitionState>();
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                SELECT e.partition, f.first_seq, e.seq, e.offset, e.size, e.enqueued
                FROM events e
                JOIN (SELECT partition, MIN(seq) AS first_seq, MAX(seq) AS last_seq FROM events GROUP BY partition) f
                  ON e.partition = f.partition AND e.seq = f.last_seq;
                """;
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
                result.Add(new TelemetryPartitionState(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.GetInt64(4), new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero)));
            using var last = _connection.CreateCommand();
            // Sequence numbers never go back, even when retention emptied a partition.
            last.CommandText = "SELECT key, value FROM meta WHERE key LIKE 'next:%';";
            using var r2 = last.ExecuteReader();
            while (r2.Read())
            {
                var partition = int.Parse(r2.GetString(0)[5..], CultureInfo.InvariantCulture);
                var parts = r2.GetString(1).Split(',');
                var next = long.Parse(parts[0], CultureInfo.InvariantCulture);
                var offset = long.Parse(parts[1], CultureInfo.InvariantCulture);
                if (result.All(s => s.Partition != partition))
                    result.Add(new TelemetryPartitionState(partition, next, next - 1, offset, 0, null));
            }
            return result;
        }
    }

    /// <inheritdoc />
    public void Append(IReadOnlyList<TelemetryEvent> events)
    {
        if (events.Count == 0) return;
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            using var insert = _connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = """
                INSERT INTO events (partition, seq, offset, size, enqueued, device_id, module_id, properties, body)
                VALUES ($p, $s, $o, $z, $e, $d, $m, $props, $b);
                """;
            var p = insert.Parameters.Add("$p", SqliteType.Integer);
            var s = insert.Parameters.Add("$s", SqliteType.Integer);
            var o = insert.Parameters.Add("$o", SqliteType.Integer);
            var z = insert.Parameters.Add("$z", SqliteType.Integer);
            var e = insert.Parameters.Add("$e", SqliteType.Integer);
            var d = insert.Parameters.Add("$d", SqliteType.Text);
            var m = insert.Parameters.Add("$m", SqliteType.Text);
            var props = insert.Parameters.Add("$props", SqliteType.Text);
            var b = insert.Parameters.Add("$b", SqliteType.Blob);
            foreach (var ev in events)
            {
                p.Value = ev.Partition;
                s.Value = ev.SequenceNumber;
                o.Value = ev.Offset;
                z.Value = ev.Size;
                e.Value = ev.EnqueuedTime.UtcTicks;
                d.Value = ev.Message.DeviceId;
                m.Value = (object?)ev.Message.ModuleId ?? DBNull.Value;
                props.Value = TelemetryEventSerializer.WriteProperties(ev.Message.SystemProperties, ev.Message.Properties);
                b.Value = ev.Message.Body;
                insert.ExecuteNonQuery();
            }
            using var next = _connection.CreateCommand();
            next.Transaction = tx;
            next.CommandText = "INSERT OR REPLACE INTO meta (key, value) VALUES ($k, $v);";
            var k = next.Parameters.Add("$k", SqliteType.Text);
            var v = next.Parameters.Add("$v", SqliteType.Text);
            foreach (var last in events.GroupBy(x => x.Partition).Select(g => g.MaxBy(x => x.SequenceNumber)!))
            {
                k.Value = "next:" + last.Partition.ToString(CultureInfo.InvariantCulture);
                v.Value = string.Create(CultureInfo.InvariantCulture, $"{last.SequenceNumber + 1},{last.Offset + last.Size}");
                next.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<TelemetryEvent> Read(int partition, long fromSequenceNumber, int maxCount)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                SELECT seq, offset, enqueued, device_id, module_id, properties, body FROM events
                WHERE partition = $p AND seq >= $s ORDER BY seq LIMIT $n;
                """;
            cmd.Parameters.AddWithValue("$p", partition);
            cmd.Parameters.AddWithValue("$s", fromSequenceNumber);
            cmd.Parameters.AddWithValue("$n", maxCount);
            using var reader = cmd.ExecuteReader();
            var result = new List<TelemetryEvent>();
            while (reader.Read())
            {
                var (system, application) = TelemetryEventSerializer.ReadProperties(reader.GetString(5));
                var message = new TelemetryMessage(reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                    (byte[])reader[6], system, application);
                result.Add(new TelemetryEvent(partition, reader.GetInt64(0), reader.GetInt64(1), new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero), message));
            }
            return result;
        }
    }

    /// <inheritdoc />
    public long? FirstSequenceNumberAt(int partition, DateTimeOffset time)
        => Scalar("SELECT MIN(seq) FROM events WHERE partition = $p AND enqueued >= $x;", partition, time.UtcTicks);

    /// <inheritdoc />
    public long? FirstSequenceNumberAfterOffset(int partition, long offset)
        => Scalar("SELECT MIN(seq) FROM events WHERE partition = $p AND offset > $x;", partition, offset);

    /// <inheritdoc />
    public int DeleteBefore(DateTimeOffset cutoff)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "DELETE FROM events WHERE enqueued < $t;";
            cmd.Parameters.AddWithValue("$t", cutoff.UtcTicks);
            return cmd.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate) _connection.Dispose();
    }

    private long? Scalar(string sql, int partition, long x)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            cmd.Parameters.AddWithValue("$p", partition);
            cmd.Parameters.AddWithValue("$x", x);
            return cmd.ExecuteScalar() is long value ? value : null;
        }
    }
}
