using System.Text;
using IotLabKit.Emulator.Core.Telemetry;
using IotLabKit.Emulator.Storage;

namespace IotLabKit.UnitTests.Emulator;

/// <summary>The telemetry store over both logs: partitions, sequence numbers, offsets, positions, retention, durability.</summary>
public sealed class TelemetryStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "iotlabkit-telemetry-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ManualClock _clock = new();

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static TheoryData<string> Logs => new() { "memory", "sqlite" };

    private ITelemetryLog NewLog(string kind) => kind == "memory" ? new InMemoryTelemetryLog() : new SqliteTelemetryLog(_dir);

    private static TelemetryMessage Message(string device, string body) =>
        new(device, null, Encoding.UTF8.GetBytes(body), new Dictionary<string, string> { ["message-id"] = body }, [new("k", "v"), new("flag", null)]);

    [Fact]
    public void A_device_always_maps_to_the_same_partition_and_devices_spread_over_all()
    {
        Assert.Equal(TelemetryStore.PartitionOf("device-1", 4), TelemetryStore.PartitionOf("device-1", 4));
        var used = Enumerable.Range(0, 200).Select(i => TelemetryStore.PartitionOf($"d{i}", 4)).Distinct().Order();
        Assert.Equal([0, 1, 2, 3], used);
        // FNV-1a is fixed, so the mapping is the same on every run and machine.
        Assert.Equal(TelemetryStore.PartitionOf("thermostat", 32), TelemetryStore.PartitionOf("thermostat", 32));
    }

    [Theory]
    [MemberData(nameof(Logs))]
    public async Task Appends_get_increasing_sequence_numbers_and_offsets_per_partition(string kind)
    {
        await using var store = new TelemetryStore(NewLog(kind), 4, TimeSpan.FromDays(1), _clock);
        var events = new List<TelemetryEvent>();
        for (var i = 0; i < 5; i++) events.Add(await store.AppendAsync(Message("dev", $"m{i}")));
        Assert.All(events, e => Assert.Equal(TelemetryStore.PartitionOf("dev", 4), e.Partition));
        Assert.Equal([0L, 1, 2, 3, 4], events.Select(e => e.SequenceNumber));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.Second.Offset > p.First.Offset));

        var read = store.Read(events[0].Partition, 2, 10);
        Assert.Equal(["m2", "m3", "m4"], read.Select(e => Encoding.UTF8.GetString(e.Message.Body)));
        Assert.Equal("v", read[0].Message.Properties[0].Value);
        Assert.Null(read[0].Message.Properties[1].Value);
        Assert.Equal("m2", read[0].Message.SystemProperties["message-id"]);

        var info = store.GetPartitionInfo(events[0].Partition);
        Assert.Equal(0, info.BeginningSequenceNumber);
        Assert.Equal(4, info.LastSequenceNumber);
        Assert.Equal(events[4].Offset, info.LastOffset);
        Assert.False(info.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(Logs))]
    public async Task Positions_resolve_to_sequence_numbers(string kind)
    {
        await using var store = new TelemetryStore(NewLog(kind), 2, TimeSpan.FromDays(1), _clock);
        var first = await store.AppendAsync(Message("d", "a"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var middle = _clock.Now;
        var second = await store.AppendAsync(Message("d", "b"));
        var p = first.Partition;
        Assert.Equal(0, store.Resolve(p, TelemetryPosition.Earliest));
        Assert.Equal(2, store.Resolve(p, TelemetryPosition.Latest));
        Assert.Equal(1, store.Resolve(p, TelemetryPosition.FromEnqueuedTime(middle)));
        Assert.Equal(2, store.Resolve(p, TelemetryPosition.FromEnqueuedTime(middle.AddHours(1))));
        Assert.Equal(1, store.Resolve(p, TelemetryPosition.AfterOffset(first.Offset)));
        Assert.Equal(2, store.Resolve(p, TelemetryPosition.AfterOffset(second.Offset)));
        Assert.Equal(1, store.Resolve(p, TelemetryPosition.FromSequenceNumber(1)));
        Assert.Equal(2, store.Resolve(p, TelemetryPosition.FromSequenceNumber(99)));
        var empty = 1 - p;
        Assert.True(store.GetPartitionInfo(empty).IsEmpty);
        Assert.Equal(0, store.Resolve(empty, TelemetryPosition.Earliest));
    }

    [Theory]
    [MemberData(nameof(Logs))]
    public async Task Retention_drops_old_events_and_sequence_numbers_keep_counting(string kind)
    {
        await using var store = new TelemetryStore(NewLog(kind), 2, TimeSpan.FromHours(1), _clock);
        var old = await store.AppendAsync(Message("d", "old"));
        _clock.Advance(TimeSpan.FromMinutes(90));
        var recent = await store.AppendAsync(Message("d", "recent"));
        Assert.Equal(1, store.ApplyRetention());
        Assert.Equal(1, store.Resolve(old.Partition, TelemetryPosition.Earliest));
        Assert.Equal(["recent"], store.Read(old.Partition, 0, 10).Select(e => Encoding.UTF8.GetString(e.Message.Body)));
        _clock.Advance(TimeSpan.FromHours(2));
        store.ApplyRetention();
        Assert.True(store.GetPartitionInfo(old.Partition).IsEmpty);
        var next = await store.AppendAsync(Message("d", "later"));
        Assert.Equal(recent.SequenceNumber + 1, next.SequenceNumber);
    }

    [Fact]
    public async Task Sqlite_log_keeps_events_partition_count_and_counters_across_reopen()
    {
        TelemetryEvent last;
        await using (var store = new TelemetryStore(new SqliteTelemetryLog(_dir), 3, TimeSpan.FromDays(1), _clock))
        {
            await store.AppendAsync(Message("x", "1"));
            last = await store.AppendAsync(Message("x", "2"));
        }
        await using var reopened = new TelemetryStore(new SqliteTelemetryLog(_dir), 8, TimeSpan.FromDays(1), _clock);
        Assert.Equal(3, reopened.PartitionCount);
        Assert.Equal(["1", "2"], reopened.Read(last.Partition, 0, 10).Select(e => Encoding.UTF8.GetString(e.Message.Body)));
        var next = await reopened.AppendAsync(Message("x", "3"));
        Assert.Equal(last.SequenceNumber + 1, next.SequenceNumber);
        Assert.True(next.Offset > last.Offset);
    }

    [Fact]
    public async Task Concurrent_appends_from_many_devices_are_all_stored_once()
    {
        await using var store = new TelemetryStore(new SqliteTelemetryLog(_dir), 4, TimeSpan.FromDays(1), _clock);
        var appends = Enumerable.Range(0, 400).Select(i => store.AppendAsync(Message($"d{i % 40}", $"m{i}"))).ToArray();
        var events = await Task.WhenAll(appends);
        foreach (var partition in events.GroupBy(e => e.Partition))
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(e => e.SequenceNumber).Order());
        Assert.Equal(400, Enumerable.Range(0, 4).Sum(p => store.Read(p, 0, 1000).Count));
    }

    [Fact]
    public void In_memory_log_drops_the_oldest_beyond_its_byte_cap()
    {
        using var log = new InMemoryTelemetryLog(maxBytes: 10);
        log.Initialize(1);
        var events = Enumerable.Range(0, 4).Select(i => new TelemetryEvent(0, i, i * 10, _clock.Now.AddSeconds(i), Message("d", "abcd"))).ToList();
        log.Append(events);
        Assert.Equal([2L, 3], log.Read(0, 0, 10).Select(e => e.SequenceNumber));
    }
}
