using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Protocol;

public class IotHubConnectionStringTests
{
    private const string Key = "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzLTAwMDA=";

    [Fact]
    public void Service_connection_string_with_port_and_emulator_flag()
    {
        var cs = IotHubConnectionString.Parse($"HostName=localhost:8443;SharedAccessKeyName=iothubowner;SharedAccessKey={Key};UseDevelopmentEmulator=true");
        Assert.Equal("localhost:8443", cs.HostName);
        Assert.Equal("localhost", cs.Host);
        Assert.Equal(8443, cs.Port);
        Assert.Equal("iothubowner", cs.SharedAccessKeyName);
        Assert.True(cs.UseDevelopmentEmulator);
        Assert.Equal(cs.ToString(), IotHubConnectionString.Parse(cs.ToString()).ToString());
    }

    [Fact]
    public void Device_connection_string_keys_are_case_insensitive_and_unknown_keys_ignored()
    {
        var cs = IotHubConnectionString.Parse($"hostname=myhub.azure-devices.net; deviceid=sensor-th-0055; sharedaccesskey={Key}; Foo=bar");
        Assert.Equal("myhub.azure-devices.net", cs.Host);
        Assert.Null(cs.Port);
        Assert.Equal("sensor-th-0055", cs.DeviceId);
        Assert.False(cs.UseDevelopmentEmulator);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("SharedAccessKey=abc=", "HostName")]
    [InlineData("HostName=h", "SharedAccessKey")]
    [InlineData("HostName=h;SharedAccessKey=not base64!", "base64")]
    [InlineData("HostName=h:99999;SharedAccessKey=AAAA", "port")]
    [InlineData("HostName=h;garbage;SharedAccessKey=AAAA", "Name=Value")]
    public void Bad_connection_strings_say_what_is_wrong(string text, string fragment)
    {
        Assert.False(IotHubConnectionString.TryParse(text, out var cs, out var error));
        Assert.Null(cs);
        Assert.Contains(fragment, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Error_messages_do_not_echo_keys()
    {
        var secret = "SharedAccessKey" + new string('x', 40);
        IotHubConnectionString.TryParse("HostName=h;" + secret, out _, out var error);
        Assert.DoesNotContain(new string('x', 20), error);
    }

    [Theory]
    [InlineData("[::1]:8443", "[::1]", 8443)]
    [InlineData("::1", "::1", null)]
    [InlineData("127.0.0.1:443", "127.0.0.1", 443)]
    public void Host_and_port_split(string hostName, string host, int? port)
    {
        var (h, p) = IotHubConnectionString.SplitHost(hostName);
        Assert.Equal(host, h);
        Assert.Equal(port, p);
    }
}
