using System.Text;

namespace IotLabKit.Protocol;

/// <summary>
/// An IoT Hub connection string: <c>HostName=…;SharedAccessKeyName=…;SharedAccessKey=…</c> for a service,
/// <c>HostName=…;DeviceId=…;SharedAccessKey=…</c> for a device. <c>HostName</c> may carry a port
/// (<c>localhost:8443</c>); <c>UseDevelopmentEmulator=true</c> says the hub is an IotLabKit emulator whose
/// own certificate authority the client should trust.
/// </summary>
public sealed class IotHubConnectionString
{
    /// <summary>The host name as written, port included when given.</summary>
    public required string HostName { get; init; }
    /// <summary>The shared access policy name (service connection strings).</summary>
    public string? SharedAccessKeyName { get; init; }
    /// <summary>The policy or device key (base64).</summary>
    public string? SharedAccessKey { get; init; }
    /// <summary>A ready-made SAS token instead of a key.</summary>
    public string? SharedAccessSignature { get; init; }
    /// <summary>The device id (device connection strings).</summary>
    public string? DeviceId { get; init; }
    /// <summary>The module id (module connection strings).</summary>
    public string? ModuleId { get; init; }
    /// <summary>A gateway to connect through instead of <see cref="HostName"/>.</summary>
    public string? GatewayHostName { get; init; }
    /// <summary>True when the hub is a development emulator.</summary>
    public bool UseDevelopmentEmulator { get; init; }

    /// <summary>The host part of <see cref="HostName"/>, without a port.</summary>
    public string Host => SplitHost(HostName).Host;

    /// <summary>The port in <see cref="HostName"/>, or null when none is given.</summary>
    public int? Port => SplitHost(HostName).Port;

    /// <summary>Parses a connection string; keys are matched case-insensitively, unknown keys are ignored.</summary>
    /// <exception cref="FormatException">Malformed or missing HostName or credentials.</exception>
    public static IotHubConnectionString Parse(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new FormatException("The connection string is empty.");
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw new FormatException($"The connection string part '{Redact(part)}' is not of the form Name=Value.");
            map[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }
        if (!map.TryGetValue("HostName", out var host) || string.IsNullOrEmpty(host))
            throw new FormatException("The connection string has no HostName.");
        var (_, port) = SplitHost(host);
        if (port is <= 0 or > 65535) throw new FormatException($"The port in HostName '{host}' is not valid.");
        map.TryGetValue("SharedAccessKey", out var key);
        map.TryGetValue("SharedAccessSignature", out var sas);
        if (string.IsNullOrEmpty(key) && string.IsNullOrEmpty(sas))
            throw new FormatException("The connection string needs SharedAccessKey or SharedAccessSignature.");
        if (!string.IsNullOrEmpty(key))
        {
            try { Convert.FromBase64String(key); }
            catch (FormatException) { throw new FormatException("The SharedAccessKey is not base64."); }
        }
        var emulator = map.TryGetValue("UseDevelopmentEmulator", out var dev) && bool.TryParse(dev, out var b) && b;
        return new IotHubConnectionString
        {
            HostName = host,
            SharedAccessKeyName = Get(map, "SharedAccessKeyName"),
            SharedAccessKey = string.IsNullOrEmpty(key) ? null : key,
            SharedAccessSignature = string.IsNullOrEmpty(sas) ? null : sas,
            DeviceId = Get(map, "DeviceId"),
            ModuleId = Get(map, "ModuleId"),
            GatewayHostName = Get(map, "GatewayHostName"),
            UseDevelopmentEmulator = emulator,
        };
    }

    /// <summary>Like <see cref="Parse"/> but returns false with a reason instead of throwing.</summary>
    public static bool TryParse(string? connectionString, out IotHubConnectionString? result, out string error)
    {
        try { result = Parse(connectionString ?? ""); error = ""; return true; }
        catch (FormatException ex) { result = null; error = ex.Message; return false; }
    }

    /// <summary>Writes the connection string back (keys included: treat the result as a secret).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("HostName=").Append(HostName);
        if (DeviceId is not null) sb.Append(";DeviceId=").Append(DeviceId);
        if (ModuleId is not null) sb.Append(";ModuleId=").Append(ModuleId);
        if (SharedAccessKeyName is not null) sb.Append(";SharedAccessKeyName=").Append(SharedAccessKeyName);
        if (SharedAccessKey is not null) sb.Append(";SharedAccessKey=").Append(SharedAccessKey);
        if (SharedAccessSignature is not null) sb.Append(";SharedAccessSignature=").Append(SharedAccessSignature);
        if (GatewayHostName is not null) sb.Append(";GatewayHostName=").Append(GatewayHostName);
        if (UseDevelopmentEmulator) sb.Append(";UseDevelopmentEmulator=true");
        return sb.ToString();
    }

    /// <summary>Splits <c>host[:port]</c>; an IPv6 literal must be bracketed to carry a port.</summary>
    public static (string Host, int? Port) SplitHost(string hostName)
    {
        var colon = hostName.LastIndexOf(':');
        if (colon <= 0 || hostName.EndsWith(']')) return (hostName, null);
        if (hostName.IndexOf(':') != colon && !hostName.StartsWith('[')) return (hostName, null); // bare IPv6
        return int.TryParse(hostName[(colon + 1)..], out var port) ? (hostName[..colon], port) : (hostName, -1);
    }

    private static string? Get(Dictionary<string, string> map, string key)
        => map.TryGetValue(key, out var v) && !string.IsNullOrEmpty(v) ? v : null;

    private static string Redact(string part) => part.Length > 12 ? part[..12] + "…" : part;
}
