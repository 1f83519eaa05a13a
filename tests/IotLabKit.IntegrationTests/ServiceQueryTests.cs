using System.Text.Json.Nodes;
using IotLabKit.Protocol;
using IotLabKit.Service;

namespace IotLabKit.IntegrationTests;

/// <summary>Our service client's <c>RegistryManager.CreateQuery</c> against the emulator over HTTPS.</summary>
[Collection(ServiceEmulatorCollection.Name)]
public sealed class ServiceQueryTests(ServiceEmulatorFixture hub)
{
    /// <summary>Creates devices tagged with a run id of their own; returns the run id and the ids in order.</summary>
    private static async Task<(string Run, string[] Ids)> CreateDevicesAsync(RegistryManager registry, int count)
    {
        var run = ServiceEmulatorFixture.NewDeviceId("sq");
        var ids = Enumerable.Range(0, count).Select(i => $"{run}-{i:D2}").ToArray();
        for (var i = 0; i < count; i++)
        {
            await registry.AddDeviceAsync(new Device(ids[i]));
            var patch = new Twin();
            patch.Tags["run"] = run;
            patch.Tags["parity"] = i % 2 == 0 ? "even" : "odd";
            await registry.UpdateTwinAsync(ids[i], patch, "*");
        }
        return (run, ids);
    }

    [Fact]
    public async Task Twins_page_through_GetNextAsTwinAsync_until_HasMoreResults_is_false()
    {
        using var registry = hub.Registry();
        var (run, ids) = await CreateDevicesAsync(registry, 7);

        var query = registry.CreateQuery($"SELECT * FROM devices WHERE tags.run = '{run}'", pageSize: 3);
        var pages = new List<QueryResponse<Twin>>();
        while (query.HasMoreResults) pages.Add(await query.GetNextAsTwinAsync());

        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.All(pages, p => Assert.Equal(QueryResultType.Twin, p.ResultType));
        Assert.Null(pages[^1].ContinuationToken);
        Assert.Null(query.ContinuationToken);
        var twins = pages.SelectMany(p => p).ToList();
        Assert.Equal(ids, twins.Select(t => t.DeviceId));
        Assert.All(twins, t => Assert.Equal(run, t.Tags["run"]));
        Assert.All(twins, t => Assert.True(t.Properties.Desired.Version >= 1));
    }

    [Fact]
    public async Task Projections_come_as_json_and_asking_them_for_twins_is_refused_without_losing_the_page()
    {
        using var registry = hub.Registry();
        var (run, ids) = await CreateDevicesAsync(registry, 4);

        var query = registry.CreateQuery($"SELECT deviceId, tags.parity AS p FROM devices WHERE tags.run = '{run}'");
        await Assert.ThrowsAsync<InvalidOperationException>(() => query.GetNextAsTwinAsync());
        var page = await query.GetNextAsJsonAsync();

        Assert.Equal(QueryResultType.Raw, page.ResultType);
        Assert.Equal(ids.Select((id, i) => $$"""{"deviceId":"{{id}}","p":"{{(i % 2 == 0 ? "even" : "odd")}}"}"""), page);
        Assert.False(query.HasMoreResults);
    }

    [Fact]
    public async Task Group_by_rows_stream_through_ReadAllAsync()
    {
        using var registry = hub.Registry();
        var (run, _) = await CreateDevicesAsync(registry, 5);

        var rows = new List<JsonNode?>();
        var query = registry.CreateQuery($"SELECT tags.parity AS parity, COUNT() AS n FROM devices WHERE tags.run = '{run}' GROUP BY tags.parity", pageSize: 1);
        await foreach (var row in query.ReadAllAsync<JsonNode>()) rows.Add(row);

        Assert.Equal("""[{"n":3,"parity":"even"},{"n":2,"parity":"odd"}]""", new JsonArray(rows.Select(r => r?.DeepClone()).ToArray()).ToJsonString());
    }

    [Fact]
    public async Task A_bad_query_is_an_IotHubArgumentException_with_the_hub_s_code_and_position()
    {
        using var registry = hub.Registry();
        var query = registry.CreateQuery("SELECT * FROM devices WHERE tags.x = ");

        var error = await Assert.ThrowsAsync<IotHubArgumentException>(() => query.GetNextAsJsonAsync());

        Assert.Equal(IotHubErrorCode.ArgumentInvalid, error.ErrorCode);
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("position", error.Message);
        Assert.True(query.HasMoreResults, "a failed page leaves the query where it was");
    }
}
