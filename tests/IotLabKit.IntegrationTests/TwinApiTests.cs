using System.Text.Json.Nodes;

namespace IotLabKit.IntegrationTests;

public sealed class TwinApiTests(EmulatorFixture hub) : IClassFixture<EmulatorFixture>
{
    private static readonly HttpMethod Patch = HttpMethod.Patch;

    private static string Desired(string key, string value)
        => new System.Text.Json.Nodes.JsonObject { ["properties"] = new System.Text.Json.Nodes.JsonObject { ["desired"] = new System.Text.Json.Nodes.JsonObject { [key] = value } } }.ToJsonString();

    private async Task<string> NewDeviceAsync()
    {
        var id = EmulatorFixture.NewId("twin");
        await hub.CreateDeviceAsync(id);
        return id;
    }

    private async Task<JsonObject> GetTwinAsync(string id)
    {
        using var response = await hub.SendAsync(HttpMethod.Get, $"/twins/{id}");
        return await EmulatorFixture.ReadOkAsync(response);
    }

    private async Task<JsonObject> WriteAsync(HttpMethod method, string id, string body, string? ifMatch = null)
    {
        using var response = await hub.SendAsync(method, $"/twins/{id}", body, ifMatch: ifMatch);
        return await EmulatorFixture.ReadOkAsync(response);
    }

    [Fact]
    public async Task A_new_twin_has_the_documented_shape()
    {
        var id = await NewDeviceAsync();
        var twin = await GetTwinAsync(id);
        Assert.Equal(id, (string?)twin["deviceId"]);
        Assert.Equal("AAAAAAAAAAE=", (string?)twin["etag"]);
        Assert.Equal(2, (long)twin["version"]!);
        Assert.Equal("enabled", (string?)twin["status"]);
        Assert.Equal("Disconnected", (string?)twin["connectionState"]);
        Assert.Equal("sas", (string?)twin["authenticationType"]);
        Assert.NotNull(twin["deviceEtag"]);
        Assert.NotNull(twin["statusUpdateTime"]);
        Assert.NotNull(twin["x509Thumbprint"]);
        Assert.Equal("", (string?)twin["modelId"]);
        Assert.Equal(1, (long)twin["properties"]!["desired"]!["$version"]!);
        Assert.Equal(1, (long)twin["properties"]!["reported"]!["$version"]!);
        Assert.NotNull(twin["properties"]!["desired"]!["$metadata"]!["$lastUpdated"]);
        Assert.False((bool)twin["capabilities"]!["iotEdge"]!);
    }

    [Fact]
    public async Task Patch_merges_tags_and_desired_with_metadata_and_versions()
    {
        var id = await NewDeviceAsync();
        var first = await WriteAsync(Patch, id, """{"tags":{"env":"lab","loc":{"room":1}},"properties":{"desired":{"speed":10,"cfg":{"mode":"fast","level":1}}}}""");
        Assert.Equal("lab", (string?)first["tags"]!["env"]);
        var desired = first["properties"]!["desired"]!;
        Assert.Equal(2, (long)desired["$version"]!);
        Assert.Equal(2, (long)desired["$metadata"]!["$lastUpdatedVersion"]!);
        Assert.Equal(2, (long)desired["$metadata"]!["cfg"]!["mode"]!["$lastUpdatedVersion"]!);
        var levelStamp = (string?)desired["$metadata"]!["cfg"]!["level"]!["$lastUpdated"];

        var second = await WriteAsync(Patch, id, """{"properties":{"desired":{"cfg":{"mode":"slow"}}}}""");
        var d2 = second["properties"]!["desired"]!;
        Assert.Equal(3, (long)d2["$version"]!);
        Assert.Equal("slow", (string?)d2["cfg"]!["mode"]);
        Assert.Equal(1, (int)d2["cfg"]!["level"]!);
        Assert.Equal(10, (int)d2["speed"]!);
        Assert.Equal(3, (long)d2["$metadata"]!["cfg"]!["mode"]!["$lastUpdatedVersion"]!);
        Assert.Equal(3, (long)d2["$metadata"]!["cfg"]!["$lastUpdatedVersion"]!);
        Assert.Equal(2, (long)d2["$metadata"]!["cfg"]!["level"]!["$lastUpdatedVersion"]!);
        Assert.Equal(levelStamp, (string?)d2["$metadata"]!["cfg"]!["level"]!["$lastUpdated"]);
        Assert.Equal(2, (long)d2["$metadata"]!["speed"]!["$lastUpdatedVersion"]!);
        Assert.Equal((long)first["version"]! + 1, (long)second["version"]!);
        Assert.NotEqual((string?)first["etag"], (string?)second["etag"]);
        Assert.Equal("lab", (string?)second["tags"]!["env"]);
    }

    [Fact]
    public async Task Null_deletes_and_null_on_missing_does_nothing()
    {
        var id = await NewDeviceAsync();
        await WriteAsync(Patch, id, """{"tags":{"a":1,"b":2},"properties":{"desired":{"x":1,"n":{"y":2}}}}""");
        var twin = await WriteAsync(Patch, id, """{"tags":{"a":null,"ghost":null},"properties":{"desired":{"x":null,"n":{"y":null},"m":{"z":null}}}}""");
        Assert.Equal("""{"b":2}""", twin["tags"]!.ToJsonString());
        var desired = twin["properties"]!["desired"]!.AsObject();
        Assert.False(desired.ContainsKey("x"));
        Assert.Equal("{}", desired["n"]!.ToJsonString());
        Assert.Equal("{}", desired["m"]!.ToJsonString());
        Assert.False(desired["$metadata"]!.AsObject().ContainsKey("x"));
        Assert.False(twin["tags"]!.AsObject().ContainsKey("ghost"));
    }

    [Fact]
    public async Task Put_replaces_tags_and_desired_wholesale()
    {
        var id = await NewDeviceAsync();
        await WriteAsync(Patch, id, """{"tags":{"a":1},"properties":{"desired":{"x":1,"y":2}}}""");
        var twin = await WriteAsync(HttpMethod.Put, id, """{"tags":{"b":2},"properties":{"desired":{"z":3}}}""");
        Assert.Equal("""{"b":2}""", twin["tags"]!.ToJsonString());
        var desired = twin["properties"]!["desired"]!.AsObject();
        Assert.Equal(3, (int)desired["z"]!);
        Assert.False(desired.ContainsKey("x"));
        Assert.False(desired["$metadata"]!.AsObject().ContainsKey("y"));
        Assert.Equal(3, (long)desired["$version"]!);
    }

    [Fact]
    public async Task A_whole_twin_sent_back_is_accepted_and_read_only_parts_are_ignored()
    {
        // What C#'s UpdateTwinAsync sends after editing a twin it fetched: everything, $metadata and reported included.
        var id = await NewDeviceAsync();
        var twin = await WriteAsync(Patch, id, """{"properties":{"desired":{"x":1}}}""");
        twin["properties"]!["desired"]!["x"] = 2;
        twin["properties"]!["reported"]!["forged"] = true;
        twin["version"] = 999;
        twin["status"] = "disabled";
        var updated = await WriteAsync(Patch, id, twin.ToJsonString(), ifMatch: $"\"{twin["etag"]}\"");
        Assert.Equal(2, (int)updated["properties"]!["desired"]!["x"]!);
        Assert.Equal(3, (long)updated["properties"]!["desired"]!["$version"]!);
        Assert.False(updated["properties"]!["reported"]!.AsObject().ContainsKey("forged"));
        Assert.Equal("enabled", (string?)updated["status"]);
        Assert.NotEqual(999, (long)updated["version"]!);
    }

    [Fact]
    public async Task If_match_on_twins_412_on_a_stale_etag_star_always_matches()
    {
        var id = await NewDeviceAsync();
        var twin = await GetTwinAsync(id);
        var etag = (string)twin["etag"]!;
        await WriteAsync(Patch, id, """{"tags":{"v":1}}""", ifMatch: $"\"{etag}\"");

        using var stale = await hub.SendAsync(Patch, $"/twins/{id}", """{"tags":{"v":2}}""", ifMatch: $"\"{etag}\"");
        await EmulatorFixture.AssertHubErrorAsync(stale, 412, "PreconditionFailed");
        using var staleReplace = await hub.SendAsync(HttpMethod.Put, $"/twins/{id}", """{"tags":{"v":2}}""", ifMatch: $"\"{etag}\"");
        await EmulatorFixture.AssertHubErrorAsync(staleReplace, 412, "PreconditionFailed");

        var forced = await WriteAsync(Patch, id, """{"tags":{"v":3}}""", ifMatch: "\"*\"");
        Assert.Equal(3, (int)forced["tags"]!["v"]!);
    }

    [Fact]
    public async Task Twins_of_unknown_devices_are_404()
    {
        using var get = await hub.SendAsync(HttpMethod.Get, "/twins/nobody-here");
        await EmulatorFixture.AssertHubErrorAsync(get, 404, "DeviceNotFound");
        using var patch = await hub.SendAsync(Patch, "/twins/nobody-here", """{"tags":{}}""");
        await EmulatorFixture.AssertHubErrorAsync(patch, 404, "DeviceNotFound");
    }

    public static TheoryData<string, string> LimitViolations() => new()
    {
        { """{"properties":{"desired":{"a.b":1}}}""", "a.b" },
        { """{"properties":{"desired":{"a":{"$b":1}}}}""", "$b" },
        { """{"tags":{"with space":1}}""", "with space" },
        { """{"tags":{"hash#":1}}""", "hash#" },
        { """{"properties":{"desired":{"big":4503599627370496}}}""", "integer range" },
        { Desired("s", new string('x', 4097)), "4097" },
        { "{\"tags\":{\"t\":\"" + new string('x', 4000) + "\",\"u\":\"" + new string('x', 4000) + "\",\"v\":\"" + new string('x', 400) + "\"}}", "8192" },
        { """{"properties":{"desired":{"l1":{"l2":{"l3":{"l4":{"l5":{"l6":{"l7":{"l8":{"l9":{"l10":{"l11":{"x":1}}}}}}}}}}}}}}""", "10 levels" },
        { """{"tags":[1]}""", "tags" },
    };

    [Theory]
    [MemberData(nameof(LimitViolations))]
    public async Task Limit_and_key_violations_are_400_ArgumentInvalid_and_change_nothing(string body, string mention)
    {
        var id = await NewDeviceAsync();
        var before = await GetTwinAsync(id);
        using var response = await hub.SendAsync(Patch, $"/twins/{id}", body);
        Assert.Contains(mention, await EmulatorFixture.AssertHubErrorAsync(response, 400, "ArgumentInvalid"));
        Assert.Equal(before.ToJsonString(), (await GetTwinAsync(id)).ToJsonString());
    }

    [Fact]
    public async Task Desired_may_grow_to_32KB_but_not_past_it()
    {
        var id = await NewDeviceAsync();
        for (var i = 0; i < 8; i++)
            await WriteAsync(Patch, id, Desired($"k{i}", new string('x', 3990)));
        using var over = await hub.SendAsync(Patch, $"/twins/{id}", Desired("k8", new string('x', 3990)));
        Assert.Contains("32768", await EmulatorFixture.AssertHubErrorAsync(over, 400, "ArgumentInvalid"));
    }

    [Fact]
    public async Task Arrays_are_accepted_in_desired_and_tags()
    {
        var id = await NewDeviceAsync();
        var twin = await WriteAsync(Patch, id, """{"tags":{"zones":["a","b"]},"properties":{"desired":{"schedule":[1,2,{"at":"noon"}]}}}""");
        Assert.Equal("""["a","b"]""", twin["tags"]!["zones"]!.ToJsonString());
        Assert.Equal("""[1,2,{"at":"noon"}]""", twin["properties"]!["desired"]!["schedule"]!.ToJsonString());
    }

    [Fact]
    public async Task Malformed_json_and_wrong_shapes_are_400()
    {
        var id = await NewDeviceAsync();
        using var malformed = await hub.SendAsync(Patch, $"/twins/{id}", "{\"tags\":");
        await EmulatorFixture.AssertHubErrorAsync(malformed, 400, "IotHubFormatError");
        using var array = await hub.SendAsync(Patch, $"/twins/{id}", "[]");
        await EmulatorFixture.AssertHubErrorAsync(array, 400, "ArgumentInvalid");
        using var empty = await hub.SendAsync(Patch, $"/twins/{id}", "");
        await EmulatorFixture.AssertHubErrorAsync(empty, 400, "ArgumentNull");
    }
}
