"""Hand-written edXML in the shapes of ../shared/EDXML.md and of public samples (the SDK's
`edoc_new` layout: xsi/xsd on the root, the edXML prefix declared on the envelope, an empty
DigitalSignature, xlink references, attachments in the default namespace after the
envelope). `sample(...)` takes the pieces a test changes."""

import base64

from tests.interop.edxml.messages import PDF

OLE2_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Word 97 văn bản".encode()

TO_BLOCKS = """
      <edXML:To><edXML:OrganId>000.00.01.H01</edXML:OrganId>
        <edXML:OrganName>Sở Nông nghiệp và Môi trường Hà Nội</edXML:OrganName></edXML:To>
      <edXML:To><edXML:OrganId>28.22.H17</edXML:OrganId></edXML:To>
      <edXML:To><edXML:OrganId>000.00.09.H99</edXML:OrganId>
        <edXML:OrganName>Một cơ quan không ở đây</edXML:OrganName></edXML:To>"""

RESPONSE_FOR_EMPTY = """
      <edXML:ResponseFor><edXML:OrganId/><edXML:Code/><edXML:PromulgationDate/>
        <edXML:DocumentId/></edXML:ResponseFor>"""

SIGNATURE_EMPTY = "<edXML:DigitalSignature/>"

REFERENCE = """
      <edXML:Reference xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="cid:{cid}"
          xlink:role="XLinkRole" xlink:type="simple">
        <edXML:Description>File dinh kem</edXML:Description>
        <edXML:AttachmentName>{name}</edXML:AttachmentName>
        <edXML:ContentType>{content_type}</edXML:ContentType>
        <edXML:ContentId>cid:{cid}</edXML:ContentId>
      </edXML:Reference>"""

ATTACHMENT = """
    <Attachment>
      <ContentType>{content_type}</ContentType>
      <ContentId>{cid}</ContentId>
      <Description>File dinh kem</Description>
      <ContentTransferEncoded>{encoded}</ContentTransferEncoded>
      <AttachmentName>{name}</AttachmentName>
    </Attachment>"""


def sample(*, before="", document_id="000.00.00.G22,2015/09/30,7816/VPCP-TTĐT",
           promulgation_date="2015/09/30", due_date="2015/10/15", to=TO_BLOCKS,
           response_for=RESPONSE_FOR_EMPTY, signature=SIGNATURE_EMPTY, reference=REFERENCE,
           attachments=(("a1", "7816-VPCP.pdf", "application/pdf", PDF),),
           encoded_open="<AttachmentEncoded>", encoded_close="</AttachmentEncoded>",
           namespace="http://www.mic.gov.vn/TBT/QCVN_102_2016", subject="V/v triển khai "
           "Trục liên thông văn bản quốc gia", doctype="") -> bytes:
    references = "".join(reference.format(cid=cid, name=name, content_type=content_type)
                         for cid, name, content_type, _data in attachments)
    encoded = "".join(ATTACHMENT.format(
        cid=cid, name=name, content_type=content_type,
        encoded="\n" + base64.encodebytes(data).decode()) for cid, name, content_type, data
        in attachments)
    text = f"""<?xml version="1.0" encoding="utf-8"?>{doctype}
<edXML xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns="{namespace}">
  <edXML:edXMLEnvelope xmlns:edXML="{namespace}">
   <edXML:edXMLHeader>
    <edXML:MessageHeader>
      <edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId>
        <edXML:OrganizationInCharge>Chính phủ</edXML:OrganizationInCharge>
        <edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName>
        <edXML:OrganAdd>16 Lê Hồng Phong, Ba Đình, Hà Nội</edXML:OrganAdd>
        <edXML:Email>vpcp@chinhphu.vn</edXML:Email>
        <edXML:Telephone>080 43162</edXML:Telephone>
        <edXML:Fax/><edXML:Website>chinhphu.vn</edXML:Website></edXML:From>{to}
      <edXML:Code><edXML:CodeNumber>7816</edXML:CodeNumber>
        <edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation></edXML:Code>
      <edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place>
        <edXML:PromulgationDate>{promulgation_date}</edXML:PromulgationDate>
      </edXML:PromulgationInfo>
      <edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeDetail>0</edXML:TypeDetail>
        <edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
      <edXML:Subject>{subject}</edXML:Subject>
      <edXML:Content>Văn phòng Chính phủ đề nghị các cơ quan triển khai.</edXML:Content>
      <edXML:SignerInfo><edXML:Competence>KT. BỘ TRƯỞNG, CHỦ NHIỆM</edXML:Competence>
        <edXML:Position>Phó Chủ nhiệm</edXML:Position>
        <edXML:FullName>Nguyễn Văn A</edXML:FullName></edXML:SignerInfo>
      <edXML:DueDate>{due_date}</edXML:DueDate>
      <edXML:ToPlaces><edXML:Place>Các Bộ, cơ quan ngang Bộ</edXML:Place>
        <edXML:Place>UBND các tỉnh, thành phố</edXML:Place></edXML:ToPlaces>
      <edXML:OtherInfo><edXML:Priority>1</edXML:Priority>
        <edXML:SphereOfPromulgation>Lien thong van ban</edXML:SphereOfPromulgation>
        <edXML:TyperNotation>TVC</edXML:TyperNotation>
        <edXML:PromulgationAmount>1</edXML:PromulgationAmount>
        <edXML:PageAmount>2</edXML:PageAmount>
        <edXML:Appendixes><edXML:Appendix/></edXML:Appendixes></edXML:OtherInfo>{response_for}
      <edXML:SteeringType>0</edXML:SteeringType>
      <edXML:DocumentId>{document_id}</edXML:DocumentId>
    </edXML:MessageHeader>
    <edXML:TraceHeaderList id="a1b2c3d4" version="1.0" mustUnderstand="1"
        actor="http://schemas.xmlsoap.org/soap/actor/next">
      <edXML:TraceHeader><edXML:OrganId>000.00.00.G22</edXML:OrganId>
        <edXML:Timestamp>2015/09/30 16:02:11</edXML:Timestamp></edXML:TraceHeader>
      <edXML:Bussiness><edXML:BussinessDocType>0</edXML:BussinessDocType>
        <edXML:BussinessDocReason>Van ban dien tu moi</edXML:BussinessDocReason>
        <edXML:StaffInfo><edXML:Department>Văn thư</edXML:Department>
          <edXML:Staff>Trần B</edXML:Staff><edXML:Mobile/><edXML:Email/></edXML:StaffInfo>
        <edXML:Paper>0</edXML:Paper></edXML:Bussiness>
    </edXML:TraceHeaderList>
    {signature}
   </edXML:edXMLHeader>
   <edXML:edXMLBody>
    <edXML:edXMLManifest version="1.0">{references}
    </edXML:edXMLManifest>
   </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  {encoded_open}{encoded}
  {encoded_close}
</edXML>
"""
    return before.encode("latin-1") + text.encode()


STATUS = """<?xml version="1.0" encoding="utf-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
 <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLHeader>
   <edXML:MessageHeader>
    <edXML:From><edXML:OrganId>000.00.01.H01</edXML:OrganId>
      <edXML:OrganName>Sở Nông nghiệp và Môi trường Hà Nội</edXML:OrganName></edXML:From>
    <edXML:ResponseFor><edXML:OrganId>000.00.00.G22</edXML:OrganId>
      <edXML:Code>3657/BNNMT-VP</edXML:Code>
      <edXML:PromulgationDate>2026/12/01</edXML:PromulgationDate>
      <edXML:DocumentId>{document_id}</edXML:DocumentId></edXML:ResponseFor>
    <edXML:StaffInfo><edXML:Department>Văn thư</edXML:Department>
      <edXML:Staff>Lê Văn Cường</edXML:Staff><edXML:Mobile>0987654321</edXML:Mobile>
      <edXML:Email>cuong@hanoi.gov.vn</edXML:Email></edXML:StaffInfo>
    <edXML:StatusCode>{code}</edXML:StatusCode>
    <edXML:Description>Đã tiếp nhận</edXML:Description>
    <edXML:Timestamp>{timestamp}</edXML:Timestamp>
   </edXML:MessageHeader>
   <edXML:TraceHeaderList/>
  </edXML:edXMLHeader>
 </edXML:edXMLEnvelope>
</edXML>
"""


def status_sample(*, code="03", timestamp="2026/12/01 14:05:00",
                  document_id="000.00.00.G22,2026/12/01,3657/BNNMT-VP") -> bytes:
    return STATUS.format(code=code, timestamp=timestamp, document_id=document_id).encode()
