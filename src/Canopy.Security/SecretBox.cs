using System.Security.Cryptography;

namespace Canopy.Security;

/// <summary>
/// AES-256-GCM with a key kept in a file of its own (0600, made at first use): how a tier keeps secret values at rest. A sealed
/// value is <c>v1.</c> + base64 of nonce (12 bytes), tag (16) and ciphertext; a fresh random nonce each time. Whoever has the data
/// dir without the key file (a copied database, a backup) learns nothing of the values.
/// </summary>
public sealed class SecretBox
{
    private const string Version = "v1.";
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;

    private SecretBox(byte[] key) => _key = key;

    /// <summary>The key in <paramref name="keyFile"/>, made (32 random bytes, mode 0600) when the file does not exist.</summary>
    public static SecretBox LoadOrCreate(string keyFile)
    {
        if (!File.Exists(keyFile))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyFile))!);
            var fresh = RandomNumberGenerator.GetBytes(KeySize);
            var temp = keyFile + ".tmp";
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                stream.Write(fresh);
            }

            // A second process making its own at the same moment: the first rename wins and both read that one below.
            try
            {
                File.Move(temp, keyFile, overwrite: false);
            }
            catch (IOException) when (File.Exists(keyFile))
            {
                File.Delete(temp);
            }
        }

        var key = File.ReadAllBytes(keyFile);
        return key.Length == KeySize
            ? new SecretBox(key)
            : throw new InvalidDataException($"{keyFile} is not a secrets key ({key.Length} bytes, expected {KeySize}); restore it from a backup, " +
                                             "or delete it to make a new one (the secrets sealed with the old key are then lost)");
    }

    public string Seal(ReadOnlySpan<byte> plaintext)
    {
        var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize));
        return Version + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>The plaintext; <see cref="CryptographicException"/> when the value was sealed with another key or changed.</summary>
    public byte[] Open(string sealedValue)
    {
        if (!sealedValue.StartsWith(Version, StringComparison.Ordinal))
        {
            throw new CryptographicException("not a sealed value of this version");
        }

        var bytes = Convert.FromBase64String(sealedValue[Version.Length..]);
        if (bytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("the sealed value is truncated");
        }

        var plaintext = new byte[bytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(bytes.AsSpan(0, NonceSize), bytes.AsSpan(NonceSize + TagSize), bytes.AsSpan(NonceSize, TagSize), plaintext);
        return plaintext;
    }
}
