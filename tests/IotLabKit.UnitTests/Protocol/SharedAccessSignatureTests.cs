using System.Net;
using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Protocol;

public class SharedAccessSignatureTests
{
    private const string Key = "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzLTAwMDA="; // base64 of 32 ASCII bytes
    private static readonly DateTimeOffset Expiry = DateTimeOffset.FromUnixTimeSeconds(2_000_000_000);

    [Fact]
    public void Created_token_round_trips_and_verifies_with_its_key_only()
    {
        var token = SharedAccessSignature.Create("myhub.azure-devices.net/devices/d1", Key, null, Expiry);

        Assert.True(SharedAccessSignature.TryParse(token, out var sas, out var error), error);
        Assert.Equal("myhub.azure-devices.net/devices/d1", sas!.DecodedResource);
        Assert.Equal(2_000_000_000, sas.ExpiresOn);
        Assert.Null(sas.KeyName);
        Assert.True(sas.IsSignedWith(Key));
        Assert.False(sas.IsSignedWith(Convert.ToBase64String(new byte[32])));
    }

    [Fact]
    public void Signature_is_over_sr_exactly_as_sent_in_any_field_order()
    {
        // Node's service SDK: sr is the bare host, field order sr, sig, skn, se.
        var sig = SharedAccessSignature.ComputeSignature(Key, "localhost", "1999999999");
        var token = $"SharedAccessSignature sr=localhost&sig={WebUtility.UrlEncode(sig)}&skn=iothubowner&se=1999999999";

        Assert.True(SharedAccessSignature.TryParse(token, out var sas, out _));
        Assert.Equal("iothubowner", sas!.KeyName);
        Assert.True(sas.IsSignedWith(Key));

        // The same signature does not verify once sr is written differently (lower-case escapes etc.).
        var tampered = token.Replace("sr=localhost", "sr=LOCALHOST");
        Assert.True(SharedAccessSignature.TryParse(tampered, out var other, out _));
        Assert.False(other!.IsSignedWith(Key));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Bearer abc", "does not start")]
    [InlineData("SharedAccessSignature sr=a&se=1", "must carry")]
    [InlineData("SharedAccessSignature sr=a&sig=b&se=soon", "whole number")]
    [InlineData("SharedAccessSignature sr=a&sig", "has no value")]
    public void Malformed_tokens_are_rejected_with_a_reason(string token, string reasonFragment)
    {
        Assert.False(SharedAccessSignature.TryParse(token, out var sas, out var error));
        Assert.Null(sas);
        Assert.Contains(reasonFragment, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Expiry_is_checked_against_the_given_time()
    {
        var token = SharedAccessSignature.Create("h", Key, "service", Expiry);
        SharedAccessSignature.TryParse(token, out var sas, out _);
        Assert.False(sas!.IsExpired(Expiry.AddSeconds(-1)));
        Assert.True(sas.IsExpired(Expiry));
    }

    [Theory]
    [InlineData("hub.example/devices/d1", "hub.example/devices/d1", true)]
    [InlineData("hub.example/devices/d1", "hub.example/devices/d1/modules/m", true)]
    [InlineData("hub.example/devices/d1", "hub.example/devices/d10", false)]
    [InlineData("hub.example", "hub.example/devices/anything", true)]
    [InlineData("HUB.example", "hub.example/devices/x", true)]
    [InlineData("other.example", "hub.example", false)]
    [InlineData("hub.example/devices/D1", "hub.example/devices/d1", false)]
    public void Scope_matches_by_whole_path_segments(string granted, string target, bool expected)
    {
        var token = SharedAccessSignature.Create(granted, Key, null, Expiry);
        SharedAccessSignature.TryParse(token, out var sas, out _);
        Assert.Equal(expected, sas!.Covers(target));
    }
}
