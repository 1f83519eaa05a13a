using System.Net;
using System.Text.Json.Nodes;

namespace IotLabKit.IntegrationTests;

public sealed class DeviceApiTests(EmulatorFixture hub) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Create_returns_the_device_with_generated_keys_etag_and_read_only_fields()
    {
        var id = EmulatorFixture.NewId();
        var device = await hub.CreateDeviceAsync(id, "{\"deviceId\":\"" + id + "\",\"authentication\":{\"type\":\"sas\",\"symmetricKey\":{\"primaryKey\":\"\",\"secondaryKey\":\"\"}}}");
        Assert.Equal(id, (string?)device["deviceId"]);
        Assert.Equal(32, Convert.FromBase64String((string)device["authentication"]!["symmetricKey"]!["primaryKey"]!).Length);
        Assert.Equal(32, Convert.FromBase64String((string)device["authentication"]!["symmetricKey"]!["secondaryKey"]!).Length);
        Assert.Equal("sas", (string?)device["authentication"]!["type"]);
        Assert.Equal("Disconnected", (string?)device["connectionState"]);
        Assert.Equal("enabled", (string?)device["status"]);
        Assert.Equal(0, (int)device["cloudToDeviceMessageCount"]!);
        Assert.Equal("0001-01-01T00:00:00Z", (string?)device["lastActivityTime"]);
        Assert.False((bool)device["capabilities"]!["iotEdge"]!);
        Assert.Matches("^[0-9]+$", System.Text.Encoding.ASCII.GetString(Convert.FromBase64String((string)device["etag"]!)));
        Assert.False(string.IsNullOrEmpty((string?)device["generationId"]));

        using var get = await hub.SendAsync(HttpMethod.Get, $"/devices/{id}");
        Assert.Equal(device.ToJsonString(), (await EmulatorFixture.ReadOkAsync(get)).ToJsonString());
    }

    [Fact]
    public async Task Create_without_a_body_id_uses_the_path_and_keeps_given_keys()
    {
        var id = EmulatorFixture.NewId();
        var key = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)i).ToArray());
        var device = await hub.CreateDeviceAsync(id, "{\"authentication\":{\"symmetricKey\":{\"primaryKey\":\"" + key + "\",\"secondaryKey\":\"" + key + "\"}}}");
        Assert.Equal(id, (string?)device["deviceId"]);
        Assert.Equal(key, (string?)device["authentication"]!["symmetricKey"]!["primaryKey"]);
    }

    [Fact]
    public async Task Creating_twice_without_if_match_is_409_DeviceAlreadyExists()
    {
        var id = EmulatorFixture.NewId();
        await hub.CreateDeviceAsync(id);
        using var again = await hub.SendAsync(HttpMethod.Put, $"/devices/{id}", $$"""{"deviceId":"{{id}}"}""");
        await EmulatorFixture.AssertHubErrorAsync(again, 409, "DeviceAlreadyExists");
    }

    [Fact]
    public async Task Update_with_if_match_star_or_the_current_etag_works_a_stale_etag_is_412()
    {
        var id = EmulatorFixture.NewId();
        var device = await hub.CreateDeviceAsync(id);
        var etag = (string)device["etag"]!;

        // Node's Registry.update sends the whole device as read, with If-Match "*".
        device["status"] = "disabled";
        device["statusReason"] = "maintenance";
        using var forced = await hub.SendAsync(HttpMethod.Put, $"/devices/{id}", device.ToJsonString(), ifMatch: "\"*\"");
        var updated = await EmulatorFixture.ReadOkAsync(forced);
        Assert.Equal("disabled", (string?)updated["status"]);
        Assert.Equal("maintenance", (string?)updated["statusReason"]);
        Assert.NotEqual(etag, (string?)updated["etag"]);
        Assert.Equal((string?)device["generationId"], (string?)updated["generationId"]);
        Assert.Equal((string?)device["authentication"]!["symmetricKey"]!["primaryKey"], (string?)updated["authentication"]!["symmetricKey"]!["primaryKey"]);

        using var stale = await hub.SendAsync(HttpMethod.Put, $"/devices/{id}", device.ToJsonString(), ifMatch: $"\"{etag}\"");
        await EmulatorFixture.AssertHubErrorAsync(stale, 412, "PreconditionFailed");

        updated["status"] = "enabled";
        using var current = await hub.SendAsync(HttpMethod.Put, $"/devices/{id}", updated.ToJsonString(), ifMatch: $"\"{updated["etag"]}\"");
        Assert.Equal("enabled", (string?)(await EmulatorFixture.ReadOkAsync(current))["status"]);
    }

    [Fact]
    public async Task An_unquoted_if_match_is_ignored_so_the_put_is_a_create()
    {
        var id = EmulatorFixture.NewId();
        var device = await hub.CreateDeviceAsync(id);
        using var response = await hub.SendAsync(HttpMethod.Put, $"/devices/{id}", $$"""{"deviceId":"{{id}}"}""", ifMatch: (string)device["etag"]!);
        await EmulatorFixture.AssertHubErrorAsync(response, 409, "DeviceAlreadyExists");
    }

    [Fact]
    public async Task Updating_or_deleting_a_missing_device_is_404_DeviceNotFound()
    {
        var id = EmulatorFixture.NewId();
        using var update = await hub.SendAsync(HttpMethod.Put, $"/devices/{id}", $$"""{"deviceId":"{{id}}"}""", ifMatch: "\"*\"");
        await EmulatorFixture.AssertHubErrorAsync(update, 404, "DeviceNotFound");
        using var delete = await hub.SendAsync(HttpMethod.Delete, $"/devices/{id}", ifMatch: "\"*\"");
        await EmulatorFixture.AssertHubErrorAsync(delete, 404, "DeviceNotFound");
        using var get = await hub.SendAsync(HttpMethod.Get, $"/devices/{id}");
        await EmulatorFixture.AssertHubErrorAsync(get, 404, "DeviceNotFound");
    }

    [Fact]
    public async Task Delete_checks_if_match_then_removes_device_and_twin()
    {
        var id = EmulatorFixture.NewId();
        var device = await hub.CreateDeviceAsync(id);
        using var stale = await hub.SendAsync(HttpMethod.Delete, $"/devices/{id}", ifMatch: "\"bm9wZQ==\"");
        await EmulatorFixture.AssertHubErrorAsync(stale, 412, "PreconditionFailed");

        using var delete = await hub.SendAsync(HttpMethod.Delete, $"/devices/{id}", ifMatch: $"\"{device["etag"]}\"");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var twin = await hub.SendAsync(HttpMethod.Get, $"/twins/{id}");
        await EmulatorFixture.AssertHubErrorAsync(twin, 404, "DeviceNotFound");
    }

    [Theory]
    [InlineData("/devices/?top=1000")]
    [InlineData("/devices")]
    [InlineData("/devices/")]
    public async Task List_tolerates_the_trailing_slash_and_returns_an_array(string path)
    {
        var id = EmulatorFixture.NewId("list");
        await hub.CreateDeviceAsync(id);
        using var response = await hub.SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        EmulatorFixture.AssertJsonContentType(response);
        var devices = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        Assert.Contains(devices, d => (string?)d!["deviceId"] == id);
    }

    [Fact]
    public async Task List_honours_top()
    {
        await hub.CreateDeviceAsync(EmulatorFixture.NewId("top"));
        await hub.CreateDeviceAsync(EmulatorFixture.NewId("top"));
        using var response = await hub.SendAsync(HttpMethod.Get, "/devices/?top=1");
        Assert.Single(JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray());
    }

    [Fact]
    public async Task Ids_with_reserved_characters_travel_url_encoded()
    {
        var id = "odd#id+$(1)'" + Guid.NewGuid().ToString("N")[..6];
        var device = await hub.CreateDeviceAsync(id);
        Assert.Equal(id, (string?)device["deviceId"]);
        using var get = await hub.SendAsync(HttpMethod.Get, $"/devices/{Uri.EscapeDataString(id)}/");
        Assert.Equal(id, (string?)(await EmulatorFixture.ReadOkAsync(get))["deviceId"]);
        using var twin = await hub.SendAsync(HttpMethod.Get, $"/twins/{Uri.EscapeDataString(id)}");
        Assert.Equal(id, (string?)(await EmulatorFixture.ReadOkAsync(twin))["deviceId"]);
    }

    [Theory]
    [InlineData("bad id", """{}""", "device id")]
    [InlineData("ok", """{"deviceId":"other"}""", "does not match")]
    [InlineData("ok", """{"status":"sleeping"}""", "status")]
    [InlineData("ok", """{"authentication":{"symmetricKey":{"primaryKey":"c2hvcnQ="}}}""", "primary key")]
    [InlineData("ok", """{"authentication":{"type":"selfSigned","x509Thumbprint":{"primaryThumbprint":"xyz"}}}""", "thumbprint")]
    [InlineData("ok", """[1,2]""", "JSON object")]
    [InlineData("ok", """{"capabilities":{"iotEdge":"yes"}}""", "iotEdge")]
    public async Task Invalid_devices_are_400_ArgumentInvalid(string id, string body, string mention)
    {
        var path = "/devices/" + Uri.EscapeDataString(id == "ok" ? EmulatorFixture.NewId() : id);
        using var response = await hub.SendAsync(HttpMethod.Put, path, body);
        Assert.Contains(mention, await EmulatorFixture.AssertHubErrorAsync(response, 400, "ArgumentInvalid"));
    }

    [Fact]
    public async Task Malformed_json_is_400_IotHubFormatError()
    {
        using var response = await hub.SendAsync(HttpMethod.Put, $"/devices/{EmulatorFixture.NewId()}", """{"deviceId": """);
        await EmulatorFixture.AssertHubErrorAsync(response, 400, "IotHubFormatError");
        using var duplicate = await hub.SendAsync(HttpMethod.Put, $"/devices/{EmulatorFixture.NewId()}", """{"status":"enabled","status":"disabled"}""");
        await EmulatorFixture.AssertHubErrorAsync(duplicate, 400, "IotHubFormatError");
    }

    [Fact]
    public async Task A_self_signed_device_keeps_its_thumbprints_and_has_no_keys()
    {
        var print = new string('A', 40);
        var device = await hub.CreateDeviceAsync(EmulatorFixture.NewId(), "{\"authentication\":{\"type\":\"selfSigned\",\"x509Thumbprint\":{\"primaryThumbprint\":\"" + print + "\",\"secondaryThumbprint\":null}}}");
        Assert.Equal("selfSigned", (string?)device["authentication"]!["type"]);
        Assert.Equal(print, (string?)device["authentication"]!["x509Thumbprint"]!["primaryThumbprint"]);
        Assert.Null(device["authentication"]!["symmetricKey"]!["primaryKey"]);
    }
}
