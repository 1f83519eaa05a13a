using System.Net;
using IotLabKit.Protocol;

namespace IotLabKit.IntegrationTests;

public sealed class SecurityApiTests(EmulatorFixture hub) : IClassFixture<EmulatorFixture>
{
    private string Token(string policy, string? key = null, TimeSpan? ttl = null)
        => SharedAccessSignature.Create(hub.Emulator.HostNameWithPort, key ?? hub.Emulator.Status.Policies[policy], policy,
            DateTimeOffset.UtcNow + (ttl ?? TimeSpan.FromHours(1)));

    [Fact]
    public async Task A_missing_token_is_401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/devices/?api-version=2021-04-12");
        using var response = await hub.Http.SendAsync(request);
        Assert.Contains("no SharedAccessSignature", await EmulatorFixture.AssertHubErrorAsync(response, 401, "IotHubUnauthorizedAccess"));
    }

    [Fact]
    public async Task A_token_signed_with_the_wrong_key_is_401_and_says_so()
    {
        using var response = await hub.SendAsync(HttpMethod.Get, "/devices/", token: Token("iothubowner", key: Convert.ToBase64String(new byte[32])));
        Assert.Contains("signature", await EmulatorFixture.AssertHubErrorAsync(response, 401, "IotHubUnauthorizedAccess"));
    }

    [Fact]
    public async Task An_expired_token_is_401_and_says_so()
    {
        using var response = await hub.SendAsync(HttpMethod.Get, "/devices/", token: Token("iothubowner", ttl: TimeSpan.FromSeconds(-5)));
        Assert.Contains("expired", await EmulatorFixture.AssertHubErrorAsync(response, 401, "IotHubUnauthorizedAccess"));
    }

    [Fact]
    public async Task An_unknown_policy_is_401()
    {
        using var response = await hub.SendAsync(HttpMethod.Get, "/devices/", token: Token("nosuchpolicy", key: Convert.ToBase64String(new byte[32])));
        Assert.Contains("nosuchpolicy", await EmulatorFixture.AssertHubErrorAsync(response, 401, "IotHubUnauthorizedAccess"));
    }

    [Fact]
    public async Task RegistryRead_may_read_but_not_write()
    {
        var id = EmulatorFixture.NewId("sec");
        await hub.CreateDeviceAsync(id);
        var readOnly = Token("registryRead");
        using var get = await hub.SendAsync(HttpMethod.Get, $"/devices/{id}", token: readOnly);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);

        using var put = await hub.SendAsync(HttpMethod.Put, $"/devices/{EmulatorFixture.NewId("sec")}", "{}", token: readOnly);
        Assert.Contains("RegistryWrite", await EmulatorFixture.AssertHubErrorAsync(put, 401, "IotHubUnauthorizedAccess"));
        using var delete = await hub.SendAsync(HttpMethod.Delete, $"/devices/{id}", token: readOnly, ifMatch: "\"*\"");
        await EmulatorFixture.AssertHubErrorAsync(delete, 401, "IotHubUnauthorizedAccess");
        using var twin = await hub.SendAsync(HttpMethod.Get, $"/twins/{id}", token: readOnly);
        Assert.Contains("ServiceConnect", await EmulatorFixture.AssertHubErrorAsync(twin, 401, "IotHubUnauthorizedAccess"));
    }

    [Fact]
    public async Task The_service_policy_may_use_twins_but_not_the_registry()
    {
        var id = EmulatorFixture.NewId("sec");
        await hub.CreateDeviceAsync(id);
        var service = Token("service");
        using var twin = await hub.SendAsync(HttpMethod.Patch, $"/twins/{id}", """{"tags":{"a":1}}""", token: service);
        Assert.Equal(HttpStatusCode.OK, twin.StatusCode);
        using var device = await hub.SendAsync(HttpMethod.Get, $"/devices/{id}", token: service);
        await EmulatorFixture.AssertHubErrorAsync(device, 401, "IotHubUnauthorizedAccess");
    }

    [Fact]
    public async Task RegistryReadWrite_may_create_and_delete()
    {
        var id = EmulatorFixture.NewId("sec");
        var token = Token("registryReadWrite");
        using var put = await hub.SendAsync(HttpMethod.Put, $"/devices/{id}", "{}", token: token);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var delete = await hub.SendAsync(HttpMethod.Delete, $"/devices/{id}", token: token, ifMatch: "\"*\"");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
    }

    [Fact]
    public async Task A_device_key_token_cannot_call_the_service_api()
    {
        var id = EmulatorFixture.NewId("sec");
        var device = await hub.CreateDeviceAsync(id);
        var deviceToken = SharedAccessSignature.Create($"{hub.Emulator.HostNameWithPort}/devices/{id}",
            (string)device["authentication"]!["symmetricKey"]!["primaryKey"]!, null, DateTimeOffset.UtcNow.AddHours(1));
        using var twin = await hub.SendAsync(HttpMethod.Get, $"/twins/{id}", token: deviceToken);
        Assert.Contains("device token", await EmulatorFixture.AssertHubErrorAsync(twin, 401, "IotHubUnauthorizedAccess"));
        using var get = await hub.SendAsync(HttpMethod.Get, $"/devices/{id}", token: deviceToken);
        await EmulatorFixture.AssertHubErrorAsync(get, 401, "IotHubUnauthorizedAccess");
    }

    [Fact]
    public async Task Node_style_tokens_with_a_bare_host_and_skn_before_se_are_accepted()
    {
        var se = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var sig = SharedAccessSignature.ComputeSignature(hub.Emulator.Status.Policies["iothubowner"], "localhost", se);
        var token = $"SharedAccessSignature sr=localhost&sig={Uri.EscapeDataString(sig)}&skn=iothubowner&se={se}";
        using var response = await hub.SendAsync(HttpMethod.Get, "/statistics/devices", token: token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Health_needs_no_token()
    {
        using var response = await hub.Http.GetAsync("/health");
        var body = await EmulatorFixture.ReadOkAsync(response);
        Assert.Equal("healthy", (string?)body["status"]);
        Assert.Equal(hub.Emulator.Status.HubName, (string?)body["hubName"]);
    }
}
