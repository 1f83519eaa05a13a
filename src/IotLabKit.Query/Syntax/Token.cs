namespace IotLabKit.Query.Syntax;

internal enum TokenKind
{
    End,
    Identifier,
    BracketedIdentifier,
    String,
    Number,
    Dot,
    Comma,
    OpenParen,
    CloseParen,
    OpenBracket,
    CloseBracket,
    Star,
    Plus,
    Minus,
    Slash,
    Percent,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>One lexical token. <see cref="Text"/> is the raw source slice (for error messages); <see cref="Value"/> the decoded name or string.</summary>
internal readonly record struct Token(TokenKind Kind, int Offset, string Text, string Value = "", double Number = 0)
{
    /// <summary>True for an unbracketed identifier spelled like <paramref name="keyword"/> in any case.</summary>
    public bool IsKeyword(string keyword)
        => Kind == TokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>The token as an error message shows it; null at the end of the text.</summary>
    public string? Display => Kind == TokenKind.End ? null : Text;
}
