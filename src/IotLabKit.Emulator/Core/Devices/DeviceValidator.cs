using System.Text.RegularExpressions;

namespace IotLabKit.Emulator.Core.Devices;

/// <summary>The registry's rules for device ids, keys and thumbprints (IoT Hub's own, as its SDKs check them).</summary>
public static partial class DeviceValidator
{
    /// <summary>Smallest and largest decoded symmetric key, in bytes.</summary>
    public const int MinKeyBytes = 16, MaxKeyBytes = 64;

    /// <summary>Longest <c>statusReason</c>.</summary>
    public const int MaxStatusReasonLength = 128;

    [GeneratedRegex(@"^[A-Za-z0-9\-:.+%_#*?!(),=@;$']{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex DeviceIdPattern();

    [GeneratedRegex("^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$", RegexOptions.CultureInvariant)]
    private static partial Regex ThumbprintPattern();

    /// <summary>True when <paramref name="deviceId"/> is a valid IoT Hub device id.</summary>
    public static bool IsValidDeviceId(string? deviceId) => deviceId is not null && DeviceIdPattern().IsMatch(deviceId);

    /// <summary>Throws <c>ArgumentInvalid</c> unless <paramref name="deviceId"/> is valid.</summary>
    public static void RequireValidDeviceId(string? deviceId)
    {
        if (!IsValidDeviceId(deviceId))
            throw HubException.Invalid(
                $"The device id '{deviceId}' is invalid: use 1 to 128 characters from A-Z a-z 0-9 and - : . + % _ # * ? ! ( ) , = @ ; $ '.");
    }

    /// <summary>Throws <c>ArgumentInvalid</c> unless <paramref name="key"/> is base64 of 16 to 64 bytes.</summary>
    /// <param name="key">The key.</param>
    /// <param name="which">"primary" or "secondary", for the message.</param>
    public static void RequireValidKey(string key, string which)
    {
        byte[] bytes;
        try { bytes = Convert.FromBase64String(key); }
        catch (FormatException) { throw HubException.Invalid($"The {which} key is not valid base64."); }
        if (bytes.Length is < MinKeyBytes or > MaxKeyBytes)
            throw HubException.Invalid($"The {which} key is {bytes.Length} bytes long; keys must be {MinKeyBytes} to {MaxKeyBytes} bytes (base64-encoded).");
    }

    /// <summary>Throws <c>ArgumentInvalid</c> unless <paramref name="thumbprint"/> is 40 or 64 hex digits.</summary>
    public static void RequireValidThumbprint(string thumbprint, string which)
    {
        if (!ThumbprintPattern().IsMatch(thumbprint))
            throw HubException.Invalid($"The {which} thumbprint must be 40 (SHA-1) or 64 (SHA-256) hexadecimal digits.");
    }

    /// <summary>A fresh random key: base64 of 32 bytes, what IoT Hub generates.</summary>
    public static string NewKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
