using System.Net;
using System.Text.Json.Nodes;

namespace IotLabKit.IntegrationTests;

/// <summary><c>POST /devices</c>, the registry's bulk operation, over real HTTPS.</summary>
public sealed class BulkRegistryApiTests(EmulatorFixture hub) : IClassFixture<EmulatorFixture>
{
    private Task<HttpResponseMessage> BulkAsync(JsonArray items, string? token = null)
        => hub.SendAsync(HttpMethod.Post, "/devices", items.ToJsonString(), token: token);

    private static JsonObject Item(string id, string mode, string? extra = null)
    {
        var item = JsonNode.Parse(extra ?? "{}")!.AsObject();
        item["id"] = id;
        item["importMode"] = mode;
        return item;
    }

    private async Task<JsonObject> TwinAsync(string id)
    {
        using var response = await hub.SendAsync(HttpMethod.Get, $"/twins/{id}");
        return await EmulatorFixture.ReadOkAsync(response);
    }

    [Fact]
    public async Task Create_with_twin_data_sets_tags_desired_and_reported()
    {
        var id = EmulatorFixture.NewId("bulk");
        using var response = await BulkAsync([Item(id, "create", """
            {"status":"enabled","tags":{"site":"A"},"properties":{"desired":{"speed":5},"reported":{"fw":"1.0.1","$version":99}}}
            """)]);

        var result = await EmulatorFixture.ReadOkAsync(response);
        Assert.Equal("""{"isSuccessful":true,"errors":[],"warnings":[]}""", result.ToJsonString());
        var twin = await TwinAsync(id);
        Assert.Equal("A", (string?)twin["tags"]!["site"]);
        Assert.Equal(5, (int)twin["properties"]!["desired"]!["speed"]!);
        Assert.Equal("1.0.1", (string?)twin["properties"]!["reported"]!["fw"]);
        Assert.NotEqual(99, (long)twin["properties"]!["reported"]!["$version"]!);
        Assert.NotNull(twin["properties"]!["reported"]!["$metadata"]!["fw"]);

        using var device = await hub.SendAsync(HttpMethod.Get, $"/devices/{id}");
        Assert.Equal(44, ((string)(await EmulatorFixture.ReadOkAsync(device))["authentication"]!["symmetricKey"]!["primaryKey"]!).Length);
    }

    [Fact]
    public async Task A_partly_failed_batch_is_400_BulkRegistryOperationFailure_with_per_item_errors_and_keeps_the_rest()
    {
        var existing = EmulatorFixture.NewId("bulk");
        await hub.CreateDeviceAsync(existing);
        var fresh = EmulatorFixture.NewId("bulk");
        var missing = EmulatorFixture.NewId("bulk");

        using var response = await BulkAsync([Item(existing, "create"), Item(fresh, "create"), Item(missing, "delete"), Item("bad id", "create")]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BulkRegistryOperationFailure", Assert.Single(response.Headers.GetValues("iothub-errorcode")));
        EmulatorFixture.AssertJsonContentType(response);
        var result = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.False((bool)result["isSuccessful"]!);
        var errors = result["errors"]!.AsArray().Select(e => ((string)e!["deviceId"]!, (string)e["errorCode"]!)).ToList();
        Assert.Equal([(existing, "DeviceAlreadyExists"), (missing, "DeviceNotFound"), ("bad id", "ArgumentInvalid")], errors);
        Assert.All(result["errors"]!.AsArray(), e => Assert.False(string.IsNullOrEmpty((string?)e!["errorStatus"])));
        await TwinAsync(fresh);
    }

    [Fact]
    public async Task Update_twin_replaces_tags_and_etag_modes_check_the_etag()
    {
        var id = EmulatorFixture.NewId("bulk");
        using (var create = await BulkAsync([Item(id, "create", """{"tags":{"a":1,"b":2}}""")]))
            await EmulatorFixture.ReadOkAsync(create);

        using (var replace = await BulkAsync([Item(id, "updateTwin", """{"tags":{"c":3}}""")]))
            await EmulatorFixture.ReadOkAsync(replace);
        var twin = await TwinAsync(id);
        Assert.Equal("""{"c":3}""", twin["tags"]!.ToJsonString());

        using (var stale = await BulkAsync([Item(id, "updateTwinIfMatchETag", """{"twinETag":"AAAAAAAAAAE=","tags":{"d":4}}""")]))
        {
            Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
            Assert.Contains("PreconditionFailed", await stale.Content.ReadAsStringAsync());
        }
        using (var current = await BulkAsync([Item(id, "updateTwinIfMatchETag", $$$"""{"twinETag":"{{{twin["etag"]}}}","tags":{"d":4}}""")]))
            await EmulatorFixture.ReadOkAsync(current);
        Assert.Equal("""{"d":4}""", (await TwinAsync(id))["tags"]!.ToJsonString());

        using var device = await hub.SendAsync(HttpMethod.Get, $"/devices/{id}");
        var etag = (string)(await EmulatorFixture.ReadOkAsync(device))["etag"]!;
        using (var wrongDelete = await BulkAsync([Item(id, "deleteIfMatchETag", """{"eTag":"bm9wZQ=="}""")]))
            Assert.Equal(HttpStatusCode.BadRequest, wrongDelete.StatusCode);
        using (var delete = await BulkAsync([Item(id, "deleteIfMatchETag", $$"""{"eTag":"{{etag}}"}""")]))
            await EmulatorFixture.ReadOkAsync(delete);
        using var gone = await hub.SendAsync(HttpMethod.Get, $"/twins/{id}");
        await EmulatorFixture.AssertHubErrorAsync(gone, 404, "DeviceNotFound");
    }

    [Fact]
    public async Task More_than_100_items_is_413_and_a_repeated_id_is_400()
    {
        var many = new JsonArray(Enumerable.Range(0, 101).Select(i => (JsonNode)Item($"many-{i}", "create")).ToArray());
        using (var tooMany = await BulkAsync(many))
            await EmulatorFixture.AssertHubErrorAsync(tooMany, 413, "TooManyDevices");
        using (var twice = await BulkAsync([Item("twice", "create"), Item("twice", "delete")]))
            await EmulatorFixture.AssertHubErrorAsync(twice, 400, "DeviceDefinedMultipleTimes");
        using (var notArray = await hub.SendAsync(HttpMethod.Post, "/devices", """{"id":"x"}"""))
            await EmulatorFixture.AssertHubErrorAsync(notArray, 400, "ArgumentInvalid");
        using (var badMode = await BulkAsync([Item("mode", "explode")]))
            Assert.Contains("importMode", await badMode.Content.ReadAsStringAsync());

        using var check = await hub.SendAsync(HttpMethod.Get, "/devices/many-0");
        await EmulatorFixture.AssertHubErrorAsync(check, 404, "DeviceNotFound");
    }

    [Fact]
    public async Task Bulk_operations_need_RegistryWrite()
    {
        using var response = await BulkAsync([Item(EmulatorFixture.NewId("bulk"), "create")], token: hub.Emulator.CreateServiceToken("registryRead"));
        await EmulatorFixture.AssertHubErrorAsync(response, 401, "IotHubUnauthorizedAccess");
    }
}
