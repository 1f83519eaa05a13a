using IotLabKit.Protocol;
using IotLabKit.Service.Transport;

namespace IotLabKit.UnitTests.Service;

public class ServiceSasTokenTests
{
    private const string Key = "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzLTAwMDA=";

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static IotHubConnectionString Service(string extra = "")
        => IotHubConnectionString.Parse($"HostName=localhost:8443;SharedAccessKeyName=iothubowner;SharedAccessKey={Key}{extra}");

    [Fact]
    public void Minted_token_is_signed_with_the_policy_key_for_the_host_and_lives_an_hour()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var provider = new SasTokenProvider(Service(), TimeSpan.FromHours(1), clock);
        Assert.True(SharedAccessSignature.TryParse(provider.GetToken(), out var sas, out var error), error);
        Assert.True(sas!.IsSignedWith(Key));
        Assert.Equal("iothubowner", sas.KeyName);
        Assert.Equal("localhost:8443", sas.DecodedResource);
        Assert.Equal(clock.Now.AddHours(1).ToUnixTimeSeconds(), sas.ExpiresOn);
    }

    [Fact]
    public void Token_is_reused_until_five_minutes_before_expiry_then_renewed()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var provider = new SasTokenProvider(Service(), TimeSpan.FromHours(1), clock);
        var first = provider.GetToken();

        clock.Now += TimeSpan.FromMinutes(54);
        Assert.Equal(first, provider.GetToken());

        clock.Now += TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1);
        var renewed = provider.GetToken();
        Assert.NotEqual(first, renewed);
        SharedAccessSignature.TryParse(renewed, out var sas, out _);
        Assert.Equal(clock.Now.AddHours(1).ToUnixTimeSeconds(), sas!.ExpiresOn);
        Assert.False(sas.IsExpired(clock.Now));
    }

    [Fact]
    public void Short_lifetimes_renew_at_a_fifth_of_their_length()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch.AddYears(56));
        var provider = new SasTokenProvider(Service(), TimeSpan.FromMinutes(10), clock);
        Assert.Equal(TimeSpan.FromMinutes(2), provider.RenewalMargin);
        var first = provider.GetToken();
        clock.Now += TimeSpan.FromMinutes(7.9);
        Assert.Equal(first, provider.GetToken());
        clock.Now += TimeSpan.FromMinutes(0.2);
        Assert.NotEqual(first, provider.GetToken());
    }

    [Fact]
    public void A_SharedAccessSignature_from_the_connection_string_is_sent_as_is()
    {
        var token = SharedAccessSignature.Create("localhost", Key, "service", DateTimeOffset.UtcNow.AddDays(1));
        var cs = IotHubConnectionString.Parse($"HostName=localhost;SharedAccessKeyName=service;SharedAccessSignature={token}");
        var provider = new SasTokenProvider(cs, TimeSpan.FromHours(1), TimeProvider.System);
        Assert.Equal(token, provider.GetToken());
    }
}
