using System.Globalization;
using System.Text;

namespace IotLabKit.Query.Syntax;

/// <summary>Turns query text into tokens. Keywords stay identifiers; the parser recognises them in context.</summary>
internal static class Lexer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, text.Length, string.Empty));
                return tokens;
            }

            var start = i;
            var c = text[i];
            if (IsIdentifierStart(c))
            {
                while (i < text.Length && IsIdentifierPart(text[i]))
                {
                    i++;
                }

                var name = text[start..i];
                tokens.Add(new Token(TokenKind.Identifier, start, name, name));
                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                tokens.Add(ReadNumber(text, ref i));
                continue;
            }

            switch (c)
            {
                case '\'':
                case '"':
                    tokens.Add(ReadString(text, ref i));
                    continue;
                case '[' when i + 1 < text.Length && text[i + 1] == '[':
                    tokens.Add(ReadBracketedIdentifier(text, ref i));
                    continue;
            }

            var (kind, length) = c switch
            {
                '.' => (TokenKind.Dot, 1),
                ',' => (TokenKind.Comma, 1),
                '(' => (TokenKind.OpenParen, 1),
                ')' => (TokenKind.CloseParen, 1),
                '[' => (TokenKind.OpenBracket, 1),
                ']' => (TokenKind.CloseBracket, 1),
                '*' => (TokenKind.Star, 1),
                '+' => (TokenKind.Plus, 1),
                '-' => (TokenKind.Minus, 1),
                '/' => (TokenKind.Slash, 1),
                '%' => (TokenKind.Percent, 1),
                '=' => (TokenKind.Equal, 1),
                '!' when Next(text, i) == '=' => (TokenKind.NotEqual, 2),
                '<' when Next(text, i) == '>' => (TokenKind.NotEqual, 2),
                '<' when Next(text, i) == '=' => (TokenKind.LessOrEqual, 2),
                '<' => (TokenKind.Less, 1),
                '>' when Next(text, i) == '=' => (TokenKind.GreaterOrEqual, 2),
                '>' => (TokenKind.Greater, 1),
                _ => (TokenKind.End, 0),
            };
            if (length == 0)
            {
                throw QuerySyntaxException.At(text, $"unexpected character '{Printable(c)}'", i, c.ToString());
            }

            tokens.Add(new Token(kind, start, text.Substring(start, length)));
            i += length;
        }
    }

    // '$' starts system names such as $metadata, $version and $lastUpdated.
    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_' || c == '$';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '$';

    private static char Next(string text, int i) => i + 1 < text.Length ? text[i + 1] : '\0';

    private static string Printable(char c) => char.IsControl(c) || char.IsSurrogate(c)
        ? $"\\u{(int)c:X4}"
        : c.ToString();

    private static Token ReadNumber(string text, ref int i)
    {
        var start = i;
        double value;
        if (text[i] == '0' && i + 1 < text.Length && (text[i + 1] == 'x' || text[i + 1] == 'X'))
        {
            i += 2;
            var digitsStart = i;
            while (i < text.Length && char.IsAsciiHexDigit(text[i]))
            {
                i++;
            }

            if (i == digitsStart || !ulong.TryParse(text.AsSpan(digitsStart, i - digitsStart), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            {
                throw QuerySyntaxException.At(text, "invalid hexadecimal number (write 0x followed by at most 16 hex digits)", start, text[start..Math.Max(i, start + 2)]);
            }

            value = hex;
        }
        else
        {
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
            {
                i++;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }
            }

            if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
            {
                i++;
                if (i < text.Length && (text[i] == '+' || text[i] == '-'))
                {
                    i++;
                }

                if (i >= text.Length || !char.IsAsciiDigit(text[i]))
                {
                    throw QuerySyntaxException.At(text, "invalid number: the exponent has no digits", start, text[start..i]);
                }

                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

            }

            value = double.Parse(text.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture);
            if (double.IsInfinity(value))
            {
                throw QuerySyntaxException.At(text, "number out of range", start, text[start..i]);
            }
        }

        if (i < text.Length && IsIdentifierPart(text[i]))
        {
            var end = i;
            while (end < text.Length && IsIdentifierPart(text[end]))
            {
                end++;
            }

            throw QuerySyntaxException.At(text, "invalid number (a name cannot start with a digit; write [[name]] for such a property)", start, text[start..end]);
        }

        return new Token(TokenKind.Number, start, text[start..i], Number: value);
    }

    private static Token ReadString(string text, ref int i)
    {
        var start = i;
        var quote = text[i];
        i++;
        var value = new StringBuilder();
        while (true)
        {
            if (i >= text.Length)
            {
                throw QuerySyntaxException.At(text, $"unterminated string: the {quote} opened here is never closed", start, quote.ToString());
            }

            var c = text[i];
            if (c == quote)
            {
                i++;
                return new Token(TokenKind.String, start, text[start..i], value.ToString());
            }

            if (c != '\\')
            {
                value.Append(c);
                i++;
                continue;
            }

            if (i + 1 >= text.Length)
            {
                throw QuerySyntaxException.At(text, $"unterminated string: the {quote} opened here is never closed", start, quote.ToString());
            }

            var escape = text[i + 1];
            switch (escape)
            {
                case '\'': value.Append('\''); break;
                case '"': value.Append('"'); break;
                case '\\': value.Append('\\'); break;
                case '/': value.Append('/'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'n': value.Append('\n'); break;
                case 'r': value.Append('\r'); break;
                case 't': value.Append('\t'); break;
                case 'u':
                    if (i + 6 > text.Length || !ushort.TryParse(text.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                        || !IsHex4(text, i + 2))
                    {
                        var end = Math.Min(text.Length, i + 6);
                        throw QuerySyntaxException.At(text, "invalid escape: \\u must be followed by four hex digits", i, text[i..end]);
                    }

                    value.Append((char)code);
                    i += 6;
                    continue;
                default:
                    throw QuerySyntaxException.At(
                        text,
                        $"invalid escape '\\{Printable(escape)}' in a string (allowed: \\' \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
                        i,
                        text.Substring(i, 2));
            }

            i += 2;
        }
    }

    // ushort.TryParse with AllowHexSpecifier accepts nothing but hex digits, but not a sign; check explicitly anyway.
    private static bool IsHex4(string text, int at)
    {
        for (var k = at; k < at + 4; k++)
        {
            if (!char.IsAsciiHexDigit(text[k]))
            {
                return false;
            }
        }

        return true;
    }

    private static Token ReadBracketedIdentifier(string text, ref int i)
    {
        var start = i;
        var close = text.IndexOf("]]", i + 2, StringComparison.Ordinal);
        if (close < 0)
        {
            throw QuerySyntaxException.At(text, "unterminated name: the [[ opened here has no matching ]]", start, "[[");
        }

        var name = text[(i + 2)..close];
        if (name.Length == 0)
        {
            throw QuerySyntaxException.At(text, "empty name: [[ ]] must enclose a property name", start, "[[]]");
        }

        i = close + 2;
        return new Token(TokenKind.BracketedIdentifier, start, text[start..i], name);
    }
}
