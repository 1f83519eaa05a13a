using IotLabKit.Protocol;

namespace IotLabKit.Service.Transport;

/// <summary>
/// Supplies the <c>Authorization</c> value: a token minted from the policy key and cached until shortly before it
/// expires, or the fixed SharedAccessSignature from the connection string. Renewing early keeps requests in flight
/// and modest clock skew (IoT Hub allows 5 minutes) from meeting an expired token.
/// </summary>
internal sealed class SasTokenProvider
{
    private static readonly TimeSpan MaxRenewalMargin = TimeSpan.FromMinutes(5);

    private readonly string? _fixedToken;
    private readonly string _resource;
    private readonly string? _key;
    private readonly string? _keyName;
    private readonly TimeSpan _timeToLive;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private (string Token, DateTimeOffset RenewAt)? _current;

    public SasTokenProvider(IotHubConnectionString connection, TimeSpan timeToLive, TimeProvider time)
    {
        _time = time;
        _timeToLive = timeToLive;
        _resource = connection.HostName;
        _keyName = connection.SharedAccessKeyName;
        if (!string.IsNullOrEmpty(connection.SharedAccessKey)) _key = connection.SharedAccessKey;
        else _fixedToken = connection.SharedAccessSignature;
    }

    /// <summary>When a minted token is replaced: 5 minutes before expiry, or a fifth of the lifetime if shorter.</summary>
    public TimeSpan RenewalMargin => _timeToLive / 5 < MaxRenewalMargin ? _timeToLive / 5 : MaxRenewalMargin;

    public string GetToken()
    {
        if (_fixedToken is not null) return _fixedToken;
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_current is { } c && now < c.RenewAt) return c.Token;
            var expiresOn = now + _timeToLive;
            var token = SharedAccessSignature.Create(_resource, _key!, _keyName, expiresOn);
            _current = (token, expiresOn - RenewalMargin);
            return token;
        }
    }
}
