using System.Runtime.CompilerServices;
using Amqp;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Security;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// What each AMQP connection has proved through CBS <c>put-token</c>: the tokens (checked by the one
/// <see cref="SasValidator"/>) and when they expire. Links ask here before they attach; an expired token no longer counts,
/// as on IoT Hub, where a client must renew its token before it runs out.
/// </summary>
public sealed class AmqpAuthorization(SasValidator validator, TimeProvider clock)
{
    private readonly ConditionalWeakTable<Connection, List<Grant>> _grants = new();

    /// <summary>Validates <paramref name="token"/> and remembers it for <paramref name="connection"/>; throws <see cref="HubException"/> (401) when it is not valid.</summary>
    public SasPrincipal PutToken(Connection connection, string? token)
    {
        var principal = validator.Authenticate(token);
        SharedAccessSignature.TryParse(token!, out var sas, out _);
        var grants = _grants.GetOrCreateValue(connection);
        lock (grants)
        {
            grants.RemoveAll(g => g.ExpiresOn <= clock.GetUtcNow());
            grants.Add(new Grant(principal, DateTimeOffset.FromUnixTimeSeconds(sas!.ExpiresOn)));
        }
        return principal;
    }

    /// <summary>
    /// The message that says why <paramref name="connection"/> may not use a service link needing
    /// <paramref name="required"/>, or null when one of its live tokens is a policy token granting it.
    /// </summary>
    public string? WhyNot(Connection connection, IotHubPermissions required)
    {
        if (!_grants.TryGetValue(connection, out var grants))
            return "No token was put on this connection: send a SharedAccessSignature to $cbs (put-token) first.";
        var now = clock.GetUtcNow();
        lock (grants)
        {
            var live = grants.Where(g => g.ExpiresOn > now).ToList();
            if (live.Count == 0) return "The connection's token has expired; put a new token on $cbs.";
            if (live.Any(g => !g.Principal.IsDeviceKey && (g.Principal.Rights & required) == required)) return null;
            var names = string.Join(", ", live.Select(g => g.Principal.PolicyName is { } p ? $"policy '{p}'" : $"device '{g.Principal.DeviceId}'"));
            return $"The connection's tokens ({names}) do not grant {required}, which this link needs.";
        }
    }

    private sealed record Grant(SasPrincipal Principal, DateTimeOffset ExpiresOn);
}
