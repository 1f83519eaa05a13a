using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Query;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;
using IotLabKit.Protocol;
using QueryCollection = IotLabKit.Query.QueryCollection;

namespace IotLabKit.UnitTests.Emulator.Query;

/// <summary>The hub's query paging over an in-memory hub: pages, TOP, cursors, tokens and the document cache.</summary>
public sealed class QueryEngineTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly HubState _hub;
    private readonly TwinStore _twins;
    private readonly DeviceRegistry _registry;
    private readonly HubQuerySource _source;
    private readonly QueryEngine _engine;

    public QueryEngineTests()
    {
        _hub = new HubState(new InMemoryHubStore(), _clock);
        _twins = new TwinStore(_hub);
        _registry = new DeviceRegistry(_hub);
        _source = new HubQuerySource(_hub, new NoDeviceJobs());
        _engine = new QueryEngine(_source, new AggregateCursors(_clock));
    }

    public void Dispose() => _hub.Dispose();

    private void Create(string id, string? tagsJson = null)
    {
        _registry.CreateOrUpdate(id, new DeviceSettings(), ETagCondition.None, out _);
        if (tagsJson is not null) _twins.Update(id, new TwinWrite(JsonNode.Parse(tagsJson)!.AsObject(), null), ETagCondition.None);
    }

    private List<QueryPage> AllPages(string query, int pageSize)
    {
        var pages = new List<QueryPage>();
        string? token = null;
        do
        {
            var page = _engine.Run(query, pageSize, token);
            pages.Add(page);
            token = page.ContinuationToken;
            Assert.True(pages.Count < 1000, "paging did not end");
        }
        while (token is not null);
        return pages;
    }

    private static string Ids(IEnumerable<QueryPage> pages) => string.Join(",", pages.SelectMany(p => p.Items).Select(i => (string)i["deviceId"]!));

    [Theory]
    [InlineData(null, 100)]
    [InlineData("1", 1)]
    [InlineData("250", 250)]
    [InlineData("1000", 1000)]
    [InlineData("1001", 1000)]
    [InlineData(" 42 ", 42)]
    [InlineData("0007", 7)]
    [InlineData("99999999999999999999", 1000)]
    public void Page_sizes_default_to_100_and_clamp_at_1000(string? header, int expected)
        => Assert.Equal(expected, QueryEngine.ReadPageSize(header));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("000")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("ten")]
    [InlineData("\u0661")]
    public void Other_page_sizes_are_ArgumentInvalid(string header)
    {
        var error = Assert.Throws<HubException>(() => QueryEngine.ReadPageSize(header));
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, error.Code);
        Assert.Contains("x-ms-max-item-count", error.Message);
    }

    [Fact]
    public void Row_queries_page_by_key_and_the_last_page_has_no_token()
    {
        foreach (var i in Enumerable.Range(0, 7)) Create($"d{i}", """{"on":true}""");

        var pages = AllPages("SELECT deviceId FROM devices WHERE tags.on = true", 3);

        Assert.Equal([3, 3, 1], pages.Select(p => p.Items.Count));
        Assert.Equal("d0,d1,d2,d3,d4,d5,d6", Ids(pages));
        Assert.All(pages, p => Assert.Equal("Raw", p.ItemType));
        Assert.Null(pages[^1].ContinuationToken);
    }

    [Fact]
    public void A_page_that_ends_exactly_at_the_last_match_has_no_token()
    {
        foreach (var i in Enumerable.Range(0, 6)) Create($"d{i}");

        var pages = AllPages("SELECT * FROM devices", 3);

        Assert.Equal([3, 3], pages.Select(p => p.Items.Count));
        Assert.Equal("Twin", pages[0].ItemType);
    }

    [Fact]
    public void Top_counts_rows_across_pages()
    {
        foreach (var i in Enumerable.Range(0, 9)) Create($"d{i}");

        Assert.Equal([2, 2, 1], AllPages("SELECT TOP 5 * FROM devices", 2).Select(p => p.Items.Count));
        Assert.Equal([3], AllPages("SELECT TOP 3 * FROM devices", 3).Select(p => p.Items.Count));
        Assert.Equal([0], AllPages("SELECT TOP 0 * FROM devices", 3).Select(p => p.Items.Count));
    }

    [Fact]
    public void Aggregate_pages_come_from_one_evaluation_even_when_twins_change_between_pages()
    {
        foreach (var i in Enumerable.Range(0, 6)) Create($"d{i}", $$"""{"g":{{i}}}""");
        const string query = "SELECT tags.g AS g, COUNT() AS n FROM devices GROUP BY tags.g";

        var first = _engine.Run(query, 4, null);
        Create("d9", """{"g":99}""");
        var second = _engine.Run(query, 4, first.ContinuationToken);

        Assert.Equal(4, first.Items.Count);
        Assert.Equal(2, second.Items.Count);
        Assert.Null(second.ContinuationToken);
        Assert.DoesNotContain(second.Items, row => (long?)row["g"] == 99);
    }

    [Fact]
    public void An_expired_aggregate_cursor_is_evaluated_again_from_the_offset()
    {
        foreach (var i in Enumerable.Range(0, 5)) Create($"d{i}", $$"""{"g":{{i}}}""");
        const string query = "SELECT tags.g AS g, COUNT() AS n FROM devices GROUP BY tags.g";
        var first = _engine.Run(query, 2, null);

        _clock.Advance(AggregateCursors.Lifetime + TimeSpan.FromSeconds(1));
        var rest = new List<QueryPage> { _engine.Run(query, 2, first.ContinuationToken) };
        while (rest[^1].ContinuationToken is { } token) rest.Add(_engine.Run(query, 2, token));

        Assert.Equal([2, 1], rest.Select(p => p.Items.Count));
        Assert.Equal([2L, 3L, 4L], rest.SelectMany(p => p.Items).Select(r => (long)r["g"]!));
    }

    [Fact]
    public void Cursors_are_bounded_in_number()
    {
        var cursors = new AggregateCursors(_clock);
        var ids = Enumerable.Range(0, AggregateCursors.Capacity + 5).Select(_ =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            return cursors.Add([new JsonObject()]);
        }).ToList();

        Assert.Null(cursors.Find(ids[0]));
        Assert.NotNull(cursors.Find(ids[^1]));
    }

    [Fact]
    public void Tokens_belong_to_their_query_and_their_kind()
    {
        foreach (var i in Enumerable.Range(0, 4)) Create($"d{i}", $$"""{"g":{{i}}}""");
        var rowToken = _engine.Run("SELECT * FROM devices", 1, null).ContinuationToken!;
        var groupToken = _engine.Run("SELECT tags.g, COUNT() FROM devices GROUP BY tags.g", 1, null).ContinuationToken!;

        Assert.Contains("different query", Assert.Throws<HubException>(() => _engine.Run("SELECT deviceId FROM devices", 1, rowToken)).Message);
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, Assert.Throws<HubException>(() => _engine.Run("SELECT * FROM devices", 1, "x" + rowToken)).Code);
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, Assert.Throws<HubException>(() => _engine.Run("SELECT * FROM devices", 1, groupToken)).Code);
    }

    [Fact]
    public void Garbage_tokens_only_ever_give_ArgumentInvalid()
    {
        var random = new Random(20_240_604);
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.%{}\":, ";
        for (var i = 0; i < 2000; i++)
        {
            var token = new string(Enumerable.Range(0, random.Next(1, 120)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            if (i % 3 == 0) token = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(token)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var error = Assert.Throws<HubException>(() => QueryContinuation.Decode(token, "SELECT * FROM devices"));
            Assert.Equal(IotHubErrorCode.ArgumentInvalid, error.Code);
        }
    }

    [Fact]
    public void A_token_round_trips_with_keys_that_need_escaping()
    {
        var token = new QueryContinuation { QueryFingerprint = QueryContinuation.Fingerprint("q"), AfterKey = "a\"b\\c/é", RowsSent = 12 };
        var decoded = QueryContinuation.Decode(token.Encode(), "q");
        Assert.Equal(token, decoded);
        Assert.Matches("^[A-Za-z0-9_-]+$", token.Encode());
    }

    [Fact]
    public void Bad_queries_are_ArgumentInvalid_with_the_engine_s_message()
    {
        var error = Assert.Throws<HubException>(() => _engine.Run("SELECT * FROM devices WHERE", 10, null));
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, error.Code);
        Assert.Contains("position", error.Message);
    }

    [Fact]
    public void The_documents_follow_writes_and_deletes()
    {
        Create("a", """{"v":1}""");
        Create("b", """{"v":1}""");
        var before = _source.Snapshot(QueryCollection.Devices);

        _twins.Update("a", new TwinWrite(JsonNode.Parse("""{"v":2}""")!.AsObject(), null), ETagCondition.None);
        _registry.Delete("b", ETagCondition.None);
        var after = _source.Snapshot(QueryCollection.Devices);

        Assert.Equal(2, Assert.Single(after).Document.GetProperty("tags").GetProperty("v").GetInt32());
        Assert.Equal(1, before[0].Document.GetProperty("tags").GetProperty("v").GetInt32());
        Assert.Equal(_twins.Get("a").ToJsonString(), JsonObject.Create(after[0].Document)!.ToJsonString());

        Create("c");
        Assert.Equal(["c"], _source.Snapshot(QueryCollection.Devices, afterKey: "a").Select(d => d.Key));
    }

    [Fact]
    public void Documents_are_built_on_write_and_the_snapshot_is_complete()
    {
        var count = 4017;
        _hub.Write(tx =>
        {
            for (var i = 0; i < count; i++)
                tx.Put(new DeviceRecord(DeviceRegistry.NewIdentity(tx, $"d{i:D5}", new DeviceSettings()), TwinDocument.Create(tx.Now)));
            return 0;
        });

        var snapshot = _source.Snapshot(QueryCollection.Devices);

        Assert.Equal(count, snapshot.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"d{i:D5}"), snapshot.Select(d => d.Key));
        Assert.Equal(_twins.Get("d04000").ToJsonString(), JsonObject.Create(snapshot[4000].Document)!.ToJsonString());
        Assert.Same(snapshot, _source.Snapshot(QueryCollection.Devices));
        // The record's own document, not a copy: one document per twin version in the whole hub.
        Assert.True(SameDocument(_hub.Read(v => v.Find("d04000")!.ServiceDocument), snapshot[4000].Document));
    }

    [Fact]
    public void Unchanged_twins_reuse_their_document()
    {
        Create("a");
        var first = _source.Snapshot(QueryCollection.Devices)[0].Document;
        Create("b");
        Assert.True(SameDocument(first, _source.Snapshot(QueryCollection.Devices)[0].Document));
    }

    // Two elements are the same document when they are the very same UTF-8 text in memory.
    private static bool SameDocument(JsonElement a, JsonElement b)
        => Unsafe.AreSame(ref MemoryMarshal.GetReference(JsonMarshal.GetRawUtf8Value(a)), ref MemoryMarshal.GetReference(JsonMarshal.GetRawUtf8Value(b)));

    [Fact]
    public async Task Queries_and_writes_can_run_at_once()
    {
        foreach (var i in Enumerable.Range(0, 200)) Create($"d{i:D3}", """{"n":0}""");
        using var stop = new CancellationTokenSource();
        using var writing = new ManualResetEventSlim();
        var writer = Task.Run(() =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                n++;
                _twins.Update($"d{n % 200:D3}", new TwinWrite(new JsonObject { ["n"] = n }, null), ETagCondition.None);
                writing.Set();
            }
            return n;
        });
        Assert.True(writing.Wait(TimeSpan.FromSeconds(30)), "the writer did not start");

        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            for (var r = 0; r < 30; r++)
            {
                Assert.Equal(200, AllPages("SELECT deviceId, tags.n FROM devices", 37).Sum(p => p.Items.Count));
                Assert.Equal(200L, (long)_engine.Run("SELECT COUNT() AS c FROM devices WHERE tags.n >= 0", 10, null).Items[0]["c"]!);
            }
        })).ToArray();
        await Task.WhenAll(readers);
        stop.Cancel();
        Assert.True(await writer > 1);
    }
}
