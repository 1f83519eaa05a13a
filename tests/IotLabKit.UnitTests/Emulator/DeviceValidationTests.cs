using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;

namespace IotLabKit.UnitTests.Emulator;

public class DeviceValidationTests
{
    [Theory]
    [InlineData("d1")]
    [InlineData("a-b:c.d+e%f_g#h*i?j!k(l)m,n=o@p;q$r's")]
    public void Valid_device_ids(string id) => Assert.True(DeviceValidator.IsValidDeviceId(id));

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/no")]
    [InlineData("ünï")]
    [InlineData("quote\"no")]
    public void Invalid_device_ids(string id)
    {
        Assert.False(DeviceValidator.IsValidDeviceId(id));
        Assert.Throws<HubException>(() => DeviceValidator.RequireValidDeviceId(id));
    }

    [Fact]
    public void Ids_are_at_most_128_characters()
    {
        Assert.True(DeviceValidator.IsValidDeviceId(new string('a', 128)));
        Assert.False(DeviceValidator.IsValidDeviceId(new string('a', 129)));
    }

    [Fact]
    public void Keys_must_be_base64_of_16_to_64_bytes()
    {
        DeviceValidator.RequireValidKey(Convert.ToBase64String(new byte[16]), "primary");
        DeviceValidator.RequireValidKey(Convert.ToBase64String(new byte[64]), "primary");
        Assert.Throws<HubException>(() => DeviceValidator.RequireValidKey(Convert.ToBase64String(new byte[15]), "primary"));
        Assert.Throws<HubException>(() => DeviceValidator.RequireValidKey(Convert.ToBase64String(new byte[65]), "primary"));
        var ex = Assert.Throws<HubException>(() => DeviceValidator.RequireValidKey("not base64!", "secondary"));
        Assert.Contains("secondary", ex.Message);
    }

    [Fact]
    public void New_keys_are_32_random_bytes()
    {
        var a = DeviceValidator.NewKey();
        Assert.Equal(32, Convert.FromBase64String(a).Length);
        Assert.NotEqual(a, DeviceValidator.NewKey());
    }

    [Fact]
    public void Device_json_ignores_read_only_members_and_reads_what_sdks_send()
    {
        var body = JsonNode.Parse("""
            {"deviceId":"d1","generationId":"x","etag":"y","connectionState":"Connected","status":"Disabled","statusReason":"maintenance",
             "connectionStateUpdatedTime":"0001-01-01T00:00:00","lastActivityTime":"0001-01-01T00:00:00","cloudToDeviceMessageCount":5,
             "authentication":{"symmetricKey":{"primaryKey":null,"secondaryKey":""},"x509Thumbprint":{"primaryThumbprint":null,"secondaryThumbprint":null},"type":"sas"},
             "capabilities":{"iotEdge":true},"deviceScope":null}
            """)!.AsObject();
        var settings = DeviceJson.ReadSettings(body);
        Assert.Equal("d1", settings.DeviceId);
        Assert.Equal(DeviceStatus.Disabled, settings.Status);
        Assert.Equal("maintenance", settings.StatusReason);
        Assert.Equal(AuthenticationType.Sas, settings.Authentication.Type);
        Assert.Null(settings.Authentication.PrimaryKey);
        Assert.Null(settings.Authentication.SecondaryKey);
        Assert.True(settings.IotEdge);
    }

    [Fact]
    public void Thumbprints_without_a_type_mean_selfSigned()
    {
        var body = new JsonObject { ["authentication"] = new JsonObject { ["x509Thumbprint"] = new JsonObject { ["primaryThumbprint"] = new string('A', 40) } } };
        Assert.Equal(AuthenticationType.SelfSigned, DeviceJson.ReadSettings(body).Authentication.Type);
    }

    [Theory]
    [InlineData("""{"status":"paused"}""", "status")]
    [InlineData("""{"status":1}""", "status")]
    [InlineData("""{"authentication":{"type":"magic"}}""", "magic")]
    [InlineData("""{"authentication":{"type":"selfSigned"}}""", "primaryThumbprint")]
    [InlineData("""{"authentication":{"type":"selfSigned","x509Thumbprint":{"primaryThumbprint":"abc"}}}""", "thumbprint")]
    [InlineData("""{"authentication":{"symmetricKey":{"primaryKey":"c2hvcnQ="}}}""", "primary key")]
    [InlineData("""{"capabilities":{"iotEdge":"yes"}}""", "iotEdge")]
    [InlineData("""{"authentication":[]}""", "authentication")]
    public void Bad_device_bodies_say_what_is_wrong(string json, string mention)
    {
        var ex = Assert.Throws<HubException>(() => DeviceJson.ReadSettings(JsonNode.Parse(json)!.AsObject()));
        Assert.Equal(IotLabKit.Protocol.IotHubErrorCode.ArgumentInvalid, ex.Code);
        Assert.Contains(mention, ex.Message);
    }
}
