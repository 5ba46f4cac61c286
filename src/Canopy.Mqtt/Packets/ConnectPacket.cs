namespace Canopy.Mqtt.Packets;

/// <summary>CONNECT (MQTT 3.1.1, protocol level 4).</summary>
internal sealed class ConnectPacket : MqttPacket
{
    public const string ProtocolName = "MQTT";
    public const byte ProtocolLevel = 4;

    private const byte CleanSessionFlag = 0x02;
    private const byte WillFlag = 0x04;
    private const byte WillRetainFlag = 0x20;
    private const byte PasswordFlag = 0x40;
    private const byte UsernameFlag = 0x80;

    public override MqttPacketType Type => MqttPacketType.Connect;

    public required string ClientId { get; init; }

    public bool CleanSession { get; init; } = true;

    public ushort KeepAliveSeconds { get; init; }

    public string? Username { get; init; }

    public byte[]? Password { get; init; }

    public MqttWill? Will { get; init; }

    public override int GetBodyLength()
    {
        var length = 2 + ProtocolName.Length + 1 + 1 + 2 + MqttString.GetSize(ClientId);
        if (Will is not null)
        {
            length += MqttString.GetSize(Will.Topic) + 2 + CheckedBinaryLength(Will.Payload);
        }

        if (Username is not null)
        {
            length += MqttString.GetSize(Username);
        }

        if (Password is not null)
        {
            length += 2 + CheckedBinaryLength(Password);
        }

        return length;
    }

    public override void WriteBody(Span<byte> destination)
    {
        if (Password is not null && Username is null)
        {
            throw new InvalidOperationException("MQTT 3.1.1 does not allow a password without a user name.");
        }

        var flags = (byte)0;
        if (CleanSession)
        {
            flags |= CleanSessionFlag;
        }

        if (Will is not null)
        {
            flags |= WillFlag;
            flags |= (byte)((byte)Will.Qos << 3);
            if (Will.Retain)
            {
                flags |= WillRetainFlag;
            }
        }

        if (Password is not null)
        {
            flags |= PasswordFlag;
        }

        if (Username is not null)
        {
            flags |= UsernameFlag;
        }

        var writer = new MqttBodyWriter(destination);
        writer.WriteString(ProtocolName);
        writer.WriteByte(ProtocolLevel);
        writer.WriteByte(flags);
        writer.WriteUInt16(KeepAliveSeconds);
        writer.WriteString(ClientId);
        if (Will is not null)
        {
            writer.WriteString(Will.Topic);
            writer.WriteBinary(Will.Payload);
        }

        if (Username is not null)
        {
            writer.WriteString(Username);
        }

        if (Password is not null)
        {
            writer.WriteBinary(Password);
        }
    }

    public static ConnectPacket Decode(ReadOnlySpan<byte> body)
    {
        var reader = new MqttBodyReader(body);
        var protocol = reader.ReadString();
        var level = reader.ReadByte();
        if (protocol != ProtocolName || level != ProtocolLevel)
        {
            throw new MqttProtocolException($"Unsupported protocol '{protocol}' level {level}.");
        }

        var flags = reader.ReadByte();
        if ((flags & 0x01) != 0)
        {
            throw new MqttProtocolException("CONNECT reserved flag is set.");
        }

        var willQos = (flags >> 3) & 0x03;
        var hasWill = (flags & WillFlag) != 0;
        if (!hasWill && (willQos != 0 || (flags & WillRetainFlag) != 0))
        {
            throw new MqttProtocolException("CONNECT will QoS/retain set without will flag.");
        }

        if (willQos > 1)
        {
            throw new MqttProtocolException($"Unsupported will QoS {willQos}.");
        }

        if ((flags & PasswordFlag) != 0 && (flags & UsernameFlag) == 0)
        {
            throw new MqttProtocolException("CONNECT password flag set without user name flag.");
        }

        var keepAlive = reader.ReadUInt16();
        var clientId = reader.ReadString();
        MqttWill? will = null;
        if (hasWill)
        {
            var topic = reader.ReadString();
            var payload = reader.ReadBinary().ToArray();
            will = new MqttWill(topic, payload, (MqttQos)willQos, (flags & WillRetainFlag) != 0);
        }

        var username = (flags & UsernameFlag) != 0 ? reader.ReadString() : null;
        var password = (flags & PasswordFlag) != 0 ? reader.ReadBinary().ToArray() : null;
        reader.EnsureEnd(MqttPacketType.Connect);
        return new ConnectPacket
        {
            ClientId = clientId,
            CleanSession = (flags & CleanSessionFlag) != 0,
            KeepAliveSeconds = keepAlive,
            Username = username,
            Password = password,
            Will = will,
        };
    }

    private static int CheckedBinaryLength(byte[] data) =>
        data.Length <= ushort.MaxValue
            ? data.Length
            : throw new ArgumentException($"CONNECT binary fields are limited to {ushort.MaxValue} bytes.");
}
