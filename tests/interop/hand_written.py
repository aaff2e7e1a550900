# ruff: noqa: E501  (the XML is written as the samples write it, one element a line)
"""edXML written by hand in the shapes public samples show (../shared/EDXML.md): the prefix
bound on the root with the default namespace too, an empty ResponseFor, several To blocks,
dates as yyyy/MM/dd, a .doc labelled application/zip. Each part can be spoilt by a test."""

import base64

from tests.interop.inbound_world import DOC_BYTES, ELSEWHERE_ID, HERE_ID, SENDER_ID
from tests.pdfs import blank_pdf

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


def message(*, number="88", subject="V/v góp ý dự thảo Thông tư", prolog="", namespace=NAMESPACE,
            code_number=None, priority="0", amount="2", header_extra="", pdf_b64=None,
            sender=SENDER_ID, drop="") -> bytes:
    pdf = pdf_b64 if pdf_b64 is not None else base64.b64encode(blank_pdf()).decode()
    doc = base64.b64encode(DOC_BYTES).decode()
    fields = {
        "Subject": f"<edXML:Subject>{subject}</edXML:Subject>",
        "DocumentId": f"<edXML:DocumentId>{sender},2026/11/30,{number}/BTP-PL</edXML:DocumentId>",
    }
    for name in drop.split():
        fields[name] = ""
    text = f"""{prolog}<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{namespace}" xmlns:edXML="{namespace}">
 <edXML:edXMLEnvelope>
  <edXML:edXMLHeader>
   <edXML:MessageHeader>
    <edXML:From><edXML:OrganId>{sender}</edXML:OrganId><edXML:OrganName>Bộ Tư pháp</edXML:OrganName></edXML:From>
    <edXML:To><edXML:OrganId>{HERE_ID}</edXML:OrganId></edXML:To>
    <edXML:To><edXML:OrganId>{ELSEWHERE_ID}</edXML:OrganId><edXML:OrganName>UBND tỉnh X</edXML:OrganName></edXML:To>
    <edXML:Code><edXML:CodeNumber>{code_number or number}</edXML:CodeNumber><edXML:CodeNotation>BTP-PL</edXML:CodeNotation></edXML:Code>
    <edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place><edXML:PromulgationDate>2026/11/30</edXML:PromulgationDate></edXML:PromulgationInfo>
    <edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeName>Thông tư</edXML:TypeName></edXML:DocumentType>
    {fields["Subject"]}
    <edXML:Content>Kính gửi các Sở.</edXML:Content>
    <edXML:SignerInfo><edXML:Competence>TL. BỘ TRƯỞNG</edXML:Competence><edXML:FullName>Phạm Văn C</edXML:FullName></edXML:SignerInfo>
    <edXML:DueDate>2030/12/20</edXML:DueDate>
    <edXML:OtherInfo><edXML:Priority>{priority}</edXML:Priority><edXML:PromulgationAmount>{amount}</edXML:PromulgationAmount></edXML:OtherInfo>
    <edXML:ResponseFor><edXML:OrganId></edXML:OrganId><edXML:Code></edXML:Code><edXML:PromulgationDate></edXML:PromulgationDate><edXML:DocumentId></edXML:DocumentId></edXML:ResponseFor>
    <edXML:SteeringType>0</edXML:SteeringType>
    {fields["DocumentId"]}
    {header_extra}
   </edXML:MessageHeader>
   <edXML:TraceHeaderList><edXML:TraceHeader><edXML:OrganId>{sender}</edXML:OrganId><edXML:Timestamp>2026/11/30 08:00:00</edXML:Timestamp></edXML:TraceHeader></edXML:TraceHeaderList>
  </edXML:edXMLHeader>
  <edXML:edXMLBody>
   <edXML:edXMLManifest>
    <edXML:Reference><edXML:ContentId>cid:p1</edXML:ContentId><edXML:ContentType>application/pdf</edXML:ContentType><edXML:AttachmentName>{number}-BTP-PL.pdf</edXML:AttachmentName></edXML:Reference>
    <edXML:Reference><edXML:ContentId>cid:d1</edXML:ContentId><edXML:ContentType>application/zip</edXML:ContentType><edXML:AttachmentName>Dự thảo.doc</edXML:AttachmentName></edXML:Reference>
   </edXML:edXMLManifest>
  </edXML:edXMLBody>
 </edXML:edXMLEnvelope>
 <AttachmentEncoded>
  <Attachment><ContentId>cid:p1</ContentId><AttachmentName>{number}-BTP-PL.pdf</AttachmentName><ContentType>application/pdf</ContentType><ContentTransferEncoded>{pdf}</ContentTransferEncoded></Attachment>
  <Attachment><ContentId>cid:d1</ContentId><AttachmentName>Dự thảo.doc</AttachmentName><ContentType>application/zip</ContentType><ContentTransferEncoded>{doc}</ContentTransferEncoded></Attachment>
 </AttachmentEncoded>
</edXML>
"""
    return text.encode()
