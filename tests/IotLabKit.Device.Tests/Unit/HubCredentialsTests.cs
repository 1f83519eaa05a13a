using System.Net;
using IotLabKit.Device.Mqtt;
using IotLabKit.Protocol;

namespace IotLabKit.Device.Tests.Unit;

public class HubCredentialsTests
{
    private const string Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static HubCredentials For(string cs, string? productInfo = null) => new(IotHubConnectionString.Parse(cs), productInfo);

    [Fact]
    public void User_name_is_host_device_api_version_and_url_encoded_client_type()
    {
        var credentials = For($"HostName=hub.azure-devices.net;DeviceId=sensor-th-0055;SharedAccessKey={Key}", "lab15 (cheese)");
        var prefix = "hub.azure-devices.net/sensor-th-0055/?api-version=2021-04-12&DeviceClientType=";
        Assert.StartsWith(prefix, credentials.UserName);
        var clientType = Uri.UnescapeDataString(credentials.UserName[prefix.Length..]);
        Assert.StartsWith("IotLabKit.Device/", clientType);
        Assert.EndsWith(" lab15 (cheese)", clientType);
        Assert.DoesNotContain(' ', credentials.UserName);
        Assert.DoesNotContain(';', credentials.UserName[prefix.Length..]);
    }

    [Theory]
    [InlineData("hub.azure-devices.net", "hub.azure-devices.net%2Fdevices%2Fd1")]
    [InlineData("localhost:8883", "localhost%3A8883%2Fdevices%2Fd1")]
    public void Password_is_a_device_sas_for_host_and_device_valid_one_hour(string hostName, string expectedSr)
    {
        var credentials = For($"HostName={hostName};DeviceId=d1;SharedAccessKey={Key}");
        var (password, expires) = credentials.Password(Now, TimeSpan.FromHours(1));
        Assert.True(SharedAccessSignature.TryParse(password, out var sas, out _));
        Assert.Equal(expectedSr, sas!.Resource);
        Assert.Null(sas.KeyName);
        Assert.Equal(Now.AddHours(1).ToUnixTimeSeconds(), sas.ExpiresOn);
        Assert.Equal(Now.AddHours(1), expires);
        Assert.True(sas.IsSignedWith(Key));
        Assert.True(sas.Covers($"{hostName}/devices/d1"));
        Assert.StartsWith("SharedAccessSignature sr=", password);
    }

    [Fact]
    public void A_policy_key_in_a_device_connection_string_signs_with_skn()
    {
        var credentials = For($"HostName=h;DeviceId=d1;SharedAccessKeyName=device;SharedAccessKey={Key}");
        SharedAccessSignature.TryParse(credentials.Password(Now, TimeSpan.FromHours(1)).Password, out var sas, out _);
        Assert.Equal("device", sas!.KeyName);
    }

    [Fact]
    public void A_fixed_token_is_used_as_is_and_cannot_be_renewed()
    {
        var token = SharedAccessSignature.Create("h/devices/d1", Key, null, Now.AddMinutes(5));
        var credentials = For($"HostName=h;DeviceId=d1;SharedAccessSignature={token}");
        Assert.False(credentials.CanRenew);
        var (password, expires) = credentials.Password(Now, TimeSpan.FromHours(1));
        Assert.Equal(token, password);
        Assert.Equal(Now.AddMinutes(5), expires);
    }

    [Theory]
    [InlineData("HostName=hub.azure-devices.net", TransportType.Mqtt, "hub.azure-devices.net", 8883)]
    [InlineData("HostName=localhost:9883", TransportType.Mqtt, "localhost", 9883)]
    [InlineData("HostName=hub.azure-devices.net;GatewayHostName=edge.local", TransportType.Mqtt, "edge.local", 8883)]
    [InlineData("HostName=localhost:8443;GatewayHostName=127.0.0.1:8884", TransportType.Mqtt_Tcp_Only, "127.0.0.1", 8884)]
    [InlineData("HostName=hub.azure-devices.net", TransportType.Mqtt_WebSocket_Only, "hub.azure-devices.net", 443)]
    public void The_socket_goes_to_the_gateway_or_host_with_the_default_port(string hostPart, TransportType transport, string host, int port)
    {
        var credentials = For($"{hostPart};DeviceId=d1;SharedAccessKey={Key}");
        Assert.Equal((host, port), credentials.Target(transport));
    }

    [Fact]
    public void A_gateway_changes_only_the_socket_not_the_user_name_or_token()
    {
        var credentials = For($"HostName=hub.azure-devices.net;GatewayHostName=localhost:8884;DeviceId=d1;SharedAccessKey={Key}");
        Assert.StartsWith("hub.azure-devices.net/d1/?", credentials.UserName);
        SharedAccessSignature.TryParse(credentials.Password(Now, TimeSpan.FromHours(1)).Password, out var sas, out _);
        Assert.Equal("hub.azure-devices.net/devices/d1", WebUtility.UrlDecode(sas!.Resource));
    }

    [Fact]
    public void WebSocket_uri_is_the_iothub_websocket_path()
    {
        Assert.Equal("wss://hub.azure-devices.net:443/$iothub/websocket", For($"HostName=hub.azure-devices.net;DeviceId=d1;SharedAccessKey={Key}").WebSocketUri());
        Assert.Equal("wss://localhost:8443/$iothub/websocket", For($"HostName=localhost:8443;DeviceId=d1;SharedAccessKey={Key}").WebSocketUri());
    }

    [Theory]
    [InlineData("HostName=h;SharedAccessKeyName=iothubowner;SharedAccessKey=" + Key, "DeviceId")]
    [InlineData("HostName=h;DeviceId=d1;ModuleId=m1;SharedAccessKey=" + Key, "module")]
    public void Non_device_connection_strings_are_refused_with_a_reason(string cs, string mentioned)
    {
        var ex = Assert.Throws<ArgumentException>(() => For(cs));
        Assert.Contains(mentioned, ex.Message);
    }

    [Fact]
    public void Only_mqtt_transports_are_accepted()
    {
        var cs = $"HostName=h;DeviceId=d1;SharedAccessKey={Key}";
        var ex = Assert.Throws<NotSupportedException>(() => DeviceClient.CreateFromConnectionString(cs, TransportType.Amqp));
        Assert.Contains("MQTT", ex.Message);
    }

    [Fact]
    public void Bad_options_are_refused_before_connecting()
    {
        var cs = $"HostName=h;DeviceId=d1;SharedAccessKey={Key}";
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviceClient.CreateFromConnectionString(cs, TransportType.Mqtt, new DeviceClientOptions { KeepAlive = TimeSpan.FromHours(1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviceClient.CreateFromConnectionString(cs, TransportType.Mqtt, new DeviceClientOptions { TwinRequestTimeout = TimeSpan.Zero }));
    }
}
