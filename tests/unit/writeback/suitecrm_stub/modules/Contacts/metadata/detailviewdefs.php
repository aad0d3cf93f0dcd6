<?php
// core layout (abbreviated from SuiteCRM 7.14 modules/Contacts/metadata/detailviewdefs.php)
$viewdefs['Contacts']['DetailView'] = array(
    'templateMeta' => array('maxColumns' => '2', 'tabDefs' => array(
        'LBL_CONTACT_INFORMATION' => array('newTab' => false, 'panelDefault' => 'expanded'),
    )),
    'panels' => array(
        'lbl_contact_information' => array(array('first_name', 'last_name'), array('title', 'phone_work')),
    ),
);
