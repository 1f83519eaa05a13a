using System.Net;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Security;
using IotLabKit.Emulator.Storage;
using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Emulator;

public class SasValidatorTests
{
    private const string Host = "myhub.local";
    private readonly ManualClock _clock = new();
    private readonly SharedAccessPolicies _policies;
    private readonly DeviceRegistry _registry;
    private readonly SasValidator _validator;
    private readonly DeviceIdentity _device;

    public SasValidatorTests()
    {
        _policies = new SharedAccessPolicies(BuiltInPolicies.All.Select(p =>
            new SharedAccessPolicy(p.Key, p.Value, DeviceValidator.NewKey(), DeviceValidator.NewKey())));
        _registry = new DeviceRegistry(new HubState(new InMemoryHubStore(), _clock));
        _device = _registry.CreateOrUpdate("dev+1", new DeviceSettings(), ETagCondition.None, out _);
        _validator = new SasValidator(_policies, Host, _registry, _clock);
    }

    private string PolicyToken(string policy, string resource = Host, TimeSpan? ttl = null, string? key = null)
        => SharedAccessSignature.Create(resource, key ?? _policies.Find(policy)!.PrimaryKey, policy, _clock.Now + (ttl ?? TimeSpan.FromHours(1)));

    private string Reason(string? token)
    {
        var ex = Assert.Throws<HubException>(() => _validator.Authenticate(token));
        Assert.Equal(IotHubErrorCode.IotHubUnauthorizedAccess, ex.Code);
        return ex.Message;
    }

    [Fact]
    public void A_policy_token_yields_the_policys_rights()
    {
        var principal = _validator.Authenticate(PolicyToken("registryReadWrite"));
        Assert.Equal("registryReadWrite", principal.PolicyName);
        Assert.Equal(IotHubPermissions.RegistryRead | IotHubPermissions.RegistryWrite, principal.Rights);
        SasValidator.DemandService(principal, IotHubPermissions.RegistryWrite);
    }

    [Fact]
    public void The_secondary_key_works_too()
        => _validator.Authenticate(PolicyToken("service", key: _policies.Find("service")!.SecondaryKey));

    [Theory]
    [InlineData("myhub.local")]
    [InlineData("MYHUB.LOCAL:8443")]
    [InlineData("localhost")]
    [InlineData("localhost:443")]
    [InlineData("127.0.0.1:8443")]
    public void The_sr_host_may_be_the_host_name_or_loopback_with_or_without_port(string sr)
        => _validator.Authenticate(PolicyToken("iothubowner", sr));

    [Fact]
    public void Node_style_tokens_with_an_unencoded_sr_and_odd_field_order_pass()
    {
        var se = (_clock.Now + TimeSpan.FromHours(1)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var sig = SharedAccessSignature.ComputeSignature(_policies.Find("iothubowner")!.PrimaryKey, Host, se);
        _validator.Authenticate($"SharedAccessSignature sr={Host}&sig={Uri.EscapeDataString(sig)}&skn=iothubowner&se={se}");
    }

    [Fact]
    public void Another_host_is_refused() => Assert.Contains("not this hub", Reason(PolicyToken("iothubowner", "otherhub.azure-devices.net")));

    [Fact]
    public void Expiry_is_checked_without_skew()
    {
        var token = PolicyToken("iothubowner", ttl: TimeSpan.FromSeconds(10));
        _validator.Authenticate(token);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Contains("expired", Reason(token));
    }

    [Fact]
    public void A_wrong_key_is_a_bad_signature_and_the_message_has_no_key()
    {
        var wrongKey = DeviceValidator.NewKey();
        var message = Reason(PolicyToken("iothubowner", key: wrongKey));
        Assert.Contains("signature", message);
        Assert.DoesNotContain(wrongKey, message);
        Assert.DoesNotContain(_policies.Find("iothubowner")!.PrimaryKey, message);
    }

    [Fact]
    public void An_unknown_policy_is_named()
        => Assert.Contains("'nosuch'", Reason(SharedAccessSignature.Create(Host, DeviceValidator.NewKey(), "nosuch", _clock.Now.AddHours(1))));

    [Theory]
    [InlineData(null, "no SharedAccessSignature")]
    [InlineData("", "no SharedAccessSignature")]
    [InlineData("Bearer abc", "Bearer")]
    [InlineData("SharedAccessSignature sr=x&se=1", "malformed")]
    [InlineData("Basic abc", "malformed")]
    public void Missing_or_malformed_tokens_say_so(string? token, string mention) => Assert.Contains(mention, Reason(token));

    [Fact]
    public void Insufficient_rights_name_the_missing_permission()
    {
        var principal = _validator.Authenticate(PolicyToken("registryRead"));
        var ex = Assert.Throws<HubException>(() => SasValidator.DemandService(principal, IotHubPermissions.RegistryWrite));
        Assert.Equal(IotHubErrorCode.IotHubUnauthorizedAccess, ex.Code);
        Assert.Contains("RegistryWrite", ex.Message);
        Assert.Contains("registryRead", ex.Message);
    }

    [Fact]
    public void Device_tokens_validate_against_the_device_keys_but_cannot_call_service_operations()
    {
        // C#-style: the whole resource URL-encoded once (so the '+' in the id travels as %2B).
        var token = SharedAccessSignature.Create($"{Host}/devices/{_device.DeviceId}", _device.Authentication.SecondaryKey!, null, _clock.Now.AddHours(1));
        var principal = _validator.Authenticate(token);
        Assert.True(principal.IsDeviceKey);
        Assert.Equal("dev+1", principal.DeviceId);
        Assert.Equal(IotHubPermissions.DeviceConnect, principal.Rights);
        var ex = Assert.Throws<HubException>(() => SasValidator.DemandService(principal, IotHubPermissions.RegistryRead));
        Assert.Contains("device token", ex.Message);
    }

    [Fact]
    public void Node_style_device_tokens_with_encodeURIComponent_sr_pass()
    {
        var sr = WebUtility.UrlEncode($"{Host}/devices/") + Uri.EscapeDataString(_device.DeviceId);
        var se = _clock.Now.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var sig = SharedAccessSignature.ComputeSignature(_device.Authentication.PrimaryKey!, sr, se);
        Assert.Equal("dev+1", _validator.Authenticate($"SharedAccessSignature sr={sr}&sig={Uri.EscapeDataString(sig)}&se={se}").DeviceId);
    }

    [Fact]
    public void Device_tokens_for_unknown_or_disabled_devices_or_wrong_keys_are_refused()
    {
        Assert.Contains("not registered", Reason(SharedAccessSignature.Create($"{Host}/devices/ghost", DeviceValidator.NewKey(), null, _clock.Now.AddHours(1))));
        Assert.Contains("signature", Reason(SharedAccessSignature.Create($"{Host}/devices/dev+1", DeviceValidator.NewKey(), null, _clock.Now.AddHours(1))));
        _registry.CreateOrUpdate("dev+1", new DeviceSettings { Status = DeviceStatus.Disabled, Authentication = _device.Authentication }, ETagCondition.Any, out _);
        Assert.Contains("disabled", Reason(SharedAccessSignature.Create($"{Host}/devices/dev+1", _device.Authentication.PrimaryKey!, null, _clock.Now.AddHours(1))));
    }

    [Fact]
    public void A_token_without_skn_must_name_a_device() => Assert.Contains("scoped to a device", Reason(SharedAccessSignature.Create(Host, DeviceValidator.NewKey(), null, _clock.Now.AddHours(1))));

    [Fact]
    public void A_device_scoped_policy_token_cannot_call_service_operations()
    {
        var principal = _validator.Authenticate(PolicyToken("iothubowner", $"{Host}/devices/dev+1"));
        Assert.Equal("dev+1", principal.DeviceId);
        Assert.Throws<HubException>(() => SasValidator.DemandService(principal, IotHubPermissions.ServiceConnect));
    }
}
