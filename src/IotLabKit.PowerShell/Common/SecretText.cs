using System.Runtime.InteropServices;
using System.Security;

namespace IotLabKit.PowerShell.Common;

/// <summary>Moves secrets between <see cref="SecureString"/> and text in one place.</summary>
internal static class SecretText
{
    /// <summary>Wraps text in a read-only <see cref="SecureString"/>.</summary>
    public static SecureString ToSecureString(string text)
    {
        var secure = new SecureString();
        foreach (var c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    /// <summary>Reads a <see cref="SecureString"/> back as text (only at the moment it is needed).</summary>
    public static string ToPlainText(SecureString secure)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try { return Marshal.PtrToStringUni(pointer) ?? ""; }
        finally { Marshal.ZeroFreeGlobalAllocUnicode(pointer); }
    }

    /// <summary>Returns the secret as <see cref="SecureString"/>, or as text when the user asked for it.</summary>
    public static object Output(string text, bool asPlainText) => asPlainText ? text : ToSecureString(text);
}
