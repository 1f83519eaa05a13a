using System.Security.Cryptography;
using System.Text;

namespace IotLabKit.Quizzes.Sealing;

/// <summary>
/// The shipped answer key of one question. From the correct letter, HKDF-SHA256 (with a per-question salt and the
/// quiz and question ids as context) derives a check value, an AES-256-GCM key and a nonce. The file keeps the
/// salt, the check value and the encrypted explanation — not the letter. Trying a letter re-derives the check value;
/// only the correct letter matches, and only its key decrypts the explanation.
/// </summary>
/// <remarks>
/// This hides the key from someone reading the file, nothing more: with three or four options anyone with the file
/// and a few lines of code can try every letter. quizzes/README.md says so to instructors.
/// </remarks>
internal sealed class AnswerSeal
{
    public const int SaltSize = 16;
    private const int CheckSize = 32;
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const string Context = "iotlabkit-quiz/1";

    public AnswerSeal(byte[] salt, byte[] check, byte[] explanation)
    {
        if (salt.Length != SaltSize || check.Length != CheckSize || explanation.Length < TagSize)
        {
            throw new ArgumentException("The answer seal has the wrong size.");
        }

        Salt = salt;
        Check = check;
        Explanation = explanation;
    }

    public byte[] Salt { get; }

    public byte[] Check { get; }

    /// <summary>The explanation's ciphertext followed by the GCM tag.</summary>
    public byte[] Explanation { get; }

    /// <summary>
    /// Seals an answer. The salt comes from the question's whole content, so the same source always builds the same
    /// file (reproducible builds), while any edit changes the salt and so every derived key.
    /// </summary>
    public static AnswerSeal Create(string quizId, string questionId, string answer, string explanation, byte[] salt)
    {
        var (check, key, nonce) = Derive(quizId, questionId, answer, salt);
        var plain = Encoding.UTF8.GetBytes(explanation);
        var sealedText = new byte[plain.Length + TagSize];
        using (var aes = new AesGcm(key, TagSize))
        {
            aes.Encrypt(nonce, plain, sealedText.AsSpan(0, plain.Length), sealedText.AsSpan(plain.Length), AssociatedData(quizId, questionId));
        }

        return new AnswerSeal(salt, check, sealedText);
    }

    /// <summary>A salt that depends on every part of the question (and nothing random).</summary>
    public static byte[] SaltFor(string quizId, string questionId, string text, IEnumerable<QuizOption> options, string answer, string explanation)
    {
        var parts = new List<string> { Context, quizId, questionId, text, answer, explanation };
        parts.AddRange(options.Select(o => $"{o.Letter}={o.Text}"));
        return SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', parts)))[..SaltSize];
    }

    /// <summary>True when <paramref name="letter"/> is the sealed answer.</summary>
    public bool Matches(string quizId, string questionId, string letter)
    {
        var (check, _, _) = Derive(quizId, questionId, letter, Salt);
        return CryptographicOperations.FixedTimeEquals(check, Check);
    }

    /// <summary>Decrypts the explanation with the correct letter.</summary>
    /// <exception cref="AuthenticationTagMismatchException">The letter is wrong or the file was altered.</exception>
    public string OpenExplanation(string quizId, string questionId, string correctLetter)
    {
        var (_, key, nonce) = Derive(quizId, questionId, correctLetter, Salt);
        var cipherLength = Explanation.Length - TagSize;
        var plain = new byte[cipherLength];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(nonce, Explanation.AsSpan(0, cipherLength), Explanation.AsSpan(cipherLength), plain, AssociatedData(quizId, questionId));
        return Encoding.UTF8.GetString(plain);
    }

    private static (byte[] Check, byte[] Key, byte[] Nonce) Derive(string quizId, string questionId, string letter, byte[] salt)
    {
        var okm = HKDF.DeriveKey(
            HashAlgorithmName.SHA256,
            Encoding.UTF8.GetBytes(letter),
            CheckSize + KeySize + NonceSize,
            salt,
            AssociatedData(quizId, questionId));
        return (okm[..CheckSize], okm[CheckSize..(CheckSize + KeySize)], okm[(CheckSize + KeySize)..]);
    }

    private static byte[] AssociatedData(string quizId, string questionId) =>
        Encoding.UTF8.GetBytes($"{Context}|{quizId}|{questionId}");
}
