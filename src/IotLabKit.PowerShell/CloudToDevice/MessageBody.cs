using System.Text;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Methods;

namespace IotLabKit.PowerShell.CloudToDevice;

/// <summary>
/// Turns what a user gives for -Body into a message body. Text is sent as UTF-8, as written; bytes as they are; any
/// other value (hashtable, PSCustomObject, list, number, boolean) as its JSON, with content type
/// <c>application/json</c> unless the user names one.
/// </summary>
internal static class MessageBody
{
    /// <summary>The body bytes, and the content type and encoding to send when the user gave none.</summary>
    /// <exception cref="ArgumentException">The value cannot be written as JSON.</exception>
    public static (byte[] Bytes, string? ContentType, string? ContentEncoding) From(object? value)
    {
        value = PowerShellJson.Unwrap(value);
        return value switch
        {
            null => ([], null, null),
            byte[] bytes => (bytes, null, null),
            string text => (Encoding.UTF8.GetBytes(text), null, "utf-8"),
            _ => (Encoding.UTF8.GetBytes(MethodPayload.ToJson(value) ?? "null"), "application/json", "utf-8"),
        };
    }
}
