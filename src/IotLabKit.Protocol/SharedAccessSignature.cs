using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace IotLabKit.Protocol;

/// <summary>
/// An IoT Hub shared access signature:
/// <c>SharedAccessSignature sr={resource}&amp;sig={signature}&amp;se={expiry}[&amp;skn={policy}]</c>.
/// The signature is HMAC-SHA256 over the <c>sr</c> value exactly as it stands in the token, a newline
/// and the expiry; the key is the base64-decoded policy or device key.
/// </summary>
public sealed class SharedAccessSignature
{
    /// <summary>The scheme word every token starts with.</summary>
    public const string Scheme = "SharedAccessSignature";

    private SharedAccessSignature(string resource, string signature, long expiry, string? keyName)
    {
        Resource = resource;
        Signature = signature;
        ExpiresOn = expiry;
        KeyName = keyName;
    }

    /// <summary>The <c>sr</c> field as it appears in the token (still URL-encoded if the issuer encoded it).</summary>
    public string Resource { get; }

    /// <summary>The <c>sr</c> field URL-decoded: <c>host[/devices/{id}[/modules/{mid}]]</c>.</summary>
    public string DecodedResource => WebUtility.UrlDecode(Resource);

    /// <summary>The <c>sig</c> field URL-decoded (base64).</summary>
    public string Signature { get; }

    /// <summary>The <c>se</c> field: expiry in seconds since the Unix epoch.</summary>
    public long ExpiresOn { get; }

    /// <summary>The <c>skn</c> field (policy name); null for device-key tokens.</summary>
    public string? KeyName { get; }

    /// <summary>True when the token has expired at <paramref name="now"/>.</summary>
    public bool IsExpired(DateTimeOffset now) => now.ToUnixTimeSeconds() >= ExpiresOn;

    /// <summary>
    /// Creates a token for <paramref name="resource"/> (for example <c>myhub.azure-devices.net</c> or
    /// <c>myhub.azure-devices.net/devices/d1</c>), URL-encoding it the way Microsoft's C# SDK does.
    /// </summary>
    /// <param name="resource">The resource URI without scheme, not yet encoded.</param>
    /// <param name="base64Key">The policy or device key (base64).</param>
    /// <param name="keyName">The policy name, or null for a device-key token.</param>
    /// <param name="expiresOn">When the token stops being valid.</param>
    public static string Create(string resource, string base64Key, string? keyName, DateTimeOffset expiresOn)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        ArgumentException.ThrowIfNullOrEmpty(base64Key);
        var sr = WebUtility.UrlEncode(resource);
        var se = expiresOn.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var sig = ComputeSignature(base64Key, sr, se);
        var token = new StringBuilder(Scheme)
            .Append(" sr=").Append(sr)
            .Append("&sig=").Append(WebUtility.UrlEncode(sig))
            .Append("&se=").Append(se);
        if (!string.IsNullOrEmpty(keyName)) token.Append("&skn=").Append(WebUtility.UrlEncode(keyName));
        return token.ToString();
    }

    /// <summary>The base64 HMAC-SHA256 of <c>sr + "\n" + se</c> under the base64-decoded key.</summary>
    /// <exception cref="FormatException">The key is not base64.</exception>
    public static string ComputeSignature(string base64Key, string srAsInToken, string se)
    {
        var key = Convert.FromBase64String(base64Key);
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(srAsInToken + "\n" + se));
        return Convert.ToBase64String(mac);
    }

    /// <summary>Parses a token; fields may come in any order.</summary>
    /// <param name="token">The token, with or without the leading <c>SharedAccessSignature</c> word.</param>
    /// <param name="result">The parsed token.</param>
    /// <param name="error">Why it could not be parsed.</param>
    public static bool TryParse(string? token, out SharedAccessSignature? result, out string error)
    {
        result = null;
        error = "";
        if (string.IsNullOrWhiteSpace(token)) { error = "The SAS token is empty."; return false; }
        var text = token.Trim();
        if (text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            text = text[Scheme.Length..].TrimStart();
        else { error = $"The token does not start with '{Scheme}'."; return false; }

        string? sr = null, sig = null, se = null, skn = null;
        foreach (var part in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) { error = $"The SAS token field '{part}' has no value."; return false; }
            var name = part[..eq];
            var value = part[(eq + 1)..];
            switch (name)
            {
                case "sr": sr = value; break;
                case "sig": sig = WebUtility.UrlDecode(value); break;
                case "se": se = value; break;
                case "skn": skn = WebUtility.UrlDecode(value); break;
                default: break; // IoT Hub ignores unknown fields; so do we.
            }
        }
        if (sr is null || sig is null || se is null)
        {
            error = "The SAS token must carry sr, sig and se.";
            return false;
        }
        if (!long.TryParse(se, NumberStyles.None, CultureInfo.InvariantCulture, out var expiry))
        {
            error = $"The SAS token expiry '{se}' is not a whole number of seconds.";
            return false;
        }
        result = new SharedAccessSignature(sr, sig, expiry, string.IsNullOrEmpty(skn) ? null : skn);
        return true;
    }

    /// <summary>
    /// True when the signature was made with <paramref name="base64Key"/>. Compares in constant time.
    /// </summary>
    public bool IsSignedWith(string base64Key)
    {
        string expected;
        try { expected = ComputeSignature(base64Key, Resource, ExpiresOn.ToString(CultureInfo.InvariantCulture)); }
        catch (FormatException) { return false; }
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(Signature));
    }

    /// <summary>
    /// True when the signature was made the Event Hubs / Service Bus way: HMAC-SHA256 keyed with the key's UTF-8 text
    /// (not its base64-decoded bytes, as IoT Hub does). Azure.Messaging.EventHubs signs so for the built-in endpoint.
    /// </summary>
    public bool IsSignedWithKeyText(string key)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(Resource + "\n" + ExpiresOn.ToString(CultureInfo.InvariantCulture)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Convert.ToBase64String(mac)), Encoding.ASCII.GetBytes(Signature));
    }

    /// <summary>
    /// True when this token's resource covers <paramref name="target"/> (both without scheme, decoded):
    /// a prefix match by whole path segments, host compared case-insensitively.
    /// </summary>
    public bool Covers(string target)
    {
        var granted = DecodedResource.TrimEnd('/');
        var wanted = target.TrimEnd('/');
        var gSlash = granted.IndexOf('/');
        var wSlash = wanted.IndexOf('/');
        var gHost = gSlash < 0 ? granted : granted[..gSlash];
        var wHost = wSlash < 0 ? wanted : wanted[..wSlash];
        if (!string.Equals(gHost, wHost, StringComparison.OrdinalIgnoreCase)) return false;
        var gPath = gSlash < 0 ? "" : granted[gSlash..];
        var wPath = wSlash < 0 ? "" : wanted[wSlash..];
        if (gPath.Length == 0) return true;
        return wPath.Equals(gPath, StringComparison.Ordinal)
            || (wPath.StartsWith(gPath, StringComparison.Ordinal) && wPath[gPath.Length] == '/');
    }
}
